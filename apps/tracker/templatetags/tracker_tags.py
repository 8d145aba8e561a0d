"""Display helpers for the record's pages: dates shown no more exactly than they are known."""

import datetime
from urllib.parse import urlsplit

from django import template
from django.utils import timezone
from django.utils.html import format_html

from apps.tracker.models import DatePrecision, format_date_with_precision

register = template.Library()

_MACHINE_FORMATS = {
    DatePrecision.YEAR: "%Y",
    DatePrecision.MONTH: "%Y-%m",
    DatePrecision.DAY: "%Y-%m-%d",
}


@register.simple_tag
def precise_date(value, precision=DatePrecision.DAY):
    """A <time> element whose text and datetime attribute both stop at the known precision,
    so "May 2025" is not read by machines as 1 May 2025."""
    if value is None:
        return format_html('<span class="date-unknown">{}</span>', "date unknown")
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    machine = value.strftime(_MACHINE_FORMATS.get(precision, "%Y-%m-%d"))
    return format_html(
        '<time datetime="{}">{}</time>', machine, format_date_with_precision(value, precision)
    )


@register.filter
def web_url(value):
    """The URL if it is http(s), else an empty string: article and statement URLs come from
    outside, and escaping alone does not stop a javascript: link."""
    if not value:
        return ""
    try:
        scheme = urlsplit(str(value)).scheme.lower()
    except ValueError:
        return ""
    return value if scheme in ("http", "https") else ""


def _long_date(value) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.day} {value.strftime('%B %Y')}"


@register.inclusion_tag("tracker/_cite.html", takes_context=True)
def cite(context, title, path, updated, *, what="this"):
    """'Cite this': the permalink, a plain-text citation and an APA-style one, each with the
    date the reader retrieved it and the date the record last changed."""
    request = context.get("request")
    url = request.build_absolute_uri(path) if request is not None else path
    today = timezone.localdate()
    updated_date = (
        timezone.localtime(updated).date() if isinstance(updated, datetime.datetime) else updated
    )
    plain = (
        f"“{title}”, PolicyTracker, last updated {_long_date(updated_date)}, {url} "
        f"(retrieved {_long_date(today)})."
    )
    apa = (
        f"PolicyTracker. ({updated_date.year}, {updated_date.strftime('%B')} "
        f"{updated_date.day}). {title}. Retrieved {today.strftime('%B')} {today.day}, "
        f"{today.year}, from {url}"
    )
    return {"url": url, "plain": plain, "apa": apa, "what": what}
