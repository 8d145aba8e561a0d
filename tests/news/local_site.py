"""A small news site served by pytest-httpserver on 127.0.0.1: a feed, article pages with the
usual clutter around them, a syndicated copy and a collection of hostile and broken responses."""

import datetime
from email.utils import format_datetime
from html import escape

BODY_MOU = [
    "The Internal Revenue Service will assist Immigration and Customs Enforcement in finding "
    "people ordered to leave the country, according to a court filing on Monday.",
    "The deal stipulates ICE officials can ask the IRS for information about people who have "
    "been ordered removed or who they are investigating, under a memorandum of understanding "
    "signed by the Treasury and the Department of Homeland Security.",
    "The IRS could then turn over tax information with earnings and addresses concerning the "
    "subjects ICE is probing. Advocates said the agreement threatens taxpayer privacy and may "
    "discourage immigrants from filing their returns at all.",
    "Public Citizen, a nonprofit advocacy organization, sued to stop the plan, arguing that it "
    "usurps the authority of Congress to decide when confidential tax information can be shared "
    "with other agencies of the federal government.",
]

BODY_WEATHER = [
    "An ice storm swept across the northern plains on Tuesday, leaving thousands of homes "
    "without power and closing schools across three states for the rest of the week.",
    "Forecasters said the freezing rain would give way to snow by Wednesday evening, and road "
    "crews worked through the night to clear the interstate between the two largest cities.",
    "Heirs to the regional utility's founding family pledged relief funds for families who lost "
    "heat, while officials urged residents to check on elderly neighbours during the outage.",
]

BODY_BUDGET = [
    "The IRS said on Thursday that its budget request for next year would focus on modernising "
    "the systems that process paper returns, which still take months to handle in peak season.",
    "In an unrelated hearing the same day, ICE officials told lawmakers that detention capacity "
    "had grown and asked for more money to hire staff at facilities across the southern border.",
    "Neither agency mentioned the other in its testimony, and committee members asked mostly "
    "about hiring, technology and the pace of processing at their own offices.",
]


def article_page(
    *,
    headline: str,
    paragraphs: list[str],
    published: str,
    modified: str = "",
    author: str = "Jane Reporter",
    site: str = "Capitol Ledger",
    extra_head: str = "",
    extra_body: str = "",
) -> str:
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    modified_meta = (
        f'<meta property="article:modified_time" content="{modified}">' if modified else ""
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{escape(headline)} | {escape(site)}</title>
<meta property="og:site_name" content="{escape(site)}">
<meta property="og:title" content="{escape(headline)}">
<meta property="article:published_time" content="{published}">
{modified_meta}
<meta name="author" content="{escape(author)}">
{extra_head}
</head><body>
<nav><a href="/">Home</a> <a href="/politics">Politics</a> <a href="/subscribe">Subscribe</a></nav>
<main><article>
<h1>{escape(headline)}</h1>
<p class="byline">By {escape(author)}</p>
<time datetime="{published}">{published[:10]}</time>
{body}
<aside class="recommended"><h2>Recommended Stories</h2><ul>
<li><a href="/other-1">Senator warns against taking ruling to the bank</a></li>
<li><a href="/other-2">Governor weighs signing bill on libraries</a></li></ul></aside>
{extra_body}
</article></main>
<div class="newsletter">Sign up for our daily newsletter to get the news first!</div>
<section id="comments"><h2>Comments</h2><p>First comment: totally agree with this.</p></section>
<footer>Copyright Capitol Ledger. All rights reserved. Privacy policy.</footer>
</body></html>"""


def rss_feed(*, base: str, items: list[tuple[str, str, datetime.datetime]]) -> str:
    entries = "\n".join(
        f"<item><title>{escape(title)}</title><link>{escape(base + path)}</link>"
        f"<guid>{escape(base + path)}</guid><pubDate>{format_datetime(when)}</pubDate></item>"
        for title, path, when in items
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Capitol Ledger</title><link>{base}/</link>
<description>Politics</description>
{entries}
</channel></rss>"""
