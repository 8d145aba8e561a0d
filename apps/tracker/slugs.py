"""Slugs made from names and titles: dashes become hyphens, accents are folded, and a slug already
taken gets the next free number, so "CMS–ICE data-sharing agreement" is `cms-ice-data-sharing-…`
and "Département" is `departement`."""

import re
import unicodedata

from django.utils.text import slugify

# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus sign, and the
# slash and ampersand that join names ("IRS/ICE", "Trade & Commerce"): each separates words.
_SEPARATORS = re.compile(r"[\u2010-\u2015\u2212/&+]")
# Letters that are not an ASCII letter plus an accent, so NFKD leaves them whole.
_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "TH",
        "ı": "i",
    }
)


def make_slug(text: str, *, max_length: int = 200) -> str:
    """A lower-case ASCII slug for `text`; empty when nothing of it survives."""
    text = _SEPARATORS.sub(" ", text or "").translate(_LETTERS)
    # NFKD splits "é" into "e" and a combining accent, which the ASCII encoding then drops.
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return slugify(folded)[:max_length].strip("-")


def unique_slug(model, text: str, *, exclude_pk=None, fallback: str = "record") -> str:
    """`make_slug(text)`, or with `-2`, `-3`, … appended when another row of `model` has it.

    The unique constraint on the slug still decides a race between two saves."""
    max_length = model._meta.get_field("slug").max_length
    base = make_slug(text, max_length=max_length - 4) or fallback
    taken = set(
        model._default_manager.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
