"""Following the API's keyset cursor pages in tests: a cursor made by hand, a walk of the links."""

import base64
import json


def cursor(data) -> str:
    """A cursor as the paginator encodes one: base64 of a JSON object {"p", "i", "r"}."""
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


def walk(api_client, url, direction: str) -> list[list[int]]:
    """The ids of every page from url on, following each page's `next` or `previous` link."""
    pages = []
    while url:
        page = api_client.get(url).json()
        pages.append([item["id"] for item in page["results"]])
        url = page[direction]
    return pages
