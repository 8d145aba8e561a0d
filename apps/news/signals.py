"""Signals the news app sends for apps built on top of it (alerts), which it never imports."""

from django.dispatch import Signal

# Sent inside the transaction that decided the links (a bulk update, so no post_save), with
# `links` (the ArticleLinks that changed) and `status` (what they were set to).
links_decided = Signal()
