"""The curator's desk, shown on the admin home page."""

from django import template

from apps.news.desk import curator_desk

register = template.Library()


@register.inclusion_tag("admin/_curator_desk.html")
def curator_desk_panel():
    return curator_desk()
