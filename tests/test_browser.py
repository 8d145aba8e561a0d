"""The agreement and home pages in a real headless Chromium: readable on a 375px phone without
sideways scrolling, timeline in date order, permalinks and source links that work."""

import datetime
import os
import shutil

import pytest

from apps.tracker.models import DatePrecision
from tests.factories import (
    AgreementFactory,
    ArticleFactory,
    EventFactory,
    PartyFactory,
    PersonFactory,
)

# Playwright's sync API runs an event loop in this thread; the ORM calls the fixtures make here
# are ordinary synchronous ones, so Django's guard against ORM use inside async code is a false
# alarm for these tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 375, "height": 740}


def _chromium_path():
    path = shutil.which("chromium")
    if path is None:
        reason = "Chromium is not installed (apt-get install chromium); browser tests need it"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " and REQUIRE_BROWSER=1 is set")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def browser():
    path = _chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def agreement(transactional_db):
    agreement = AgreementFactory(
        title="IRS–ICE data-sharing memorandum of understanding",
        slug="irs-ice-mou",
        summary="The IRS agreed to verify addresses of people ICE is seeking to deport.",
        signed_on=datetime.date(2025, 4, 7),
    )
    PartyFactory(
        agreement=agreement,
        actor__name="Department of the Treasury, Internal Revenue Service",
        signed_by=PersonFactory(name="Scott Bessent"),
        signed_on=datetime.date(2025, 4, 7),
    )
    report = ArticleFactory(
        title="IRS reaches deal to help ICE find undocumented immigrants — a very long headline",
        canonical_url="https://news.example/irs-ice-deal",
    )
    # Created out of order so the page, not insertion order, has to sort them.
    EventFactory(
        agreement=agreement,
        date=datetime.date(2025, 4, 7),
        title="Bessent and Noem sign the memorandum",
        sources=[report],
    )
    EventFactory(
        agreement=agreement,
        date=datetime.date(2025, 3, 1),
        date_precision=DatePrecision.MONTH,
        kind="reported",
        title="Talks between the IRS and ICE reported",
    )
    EventFactory(
        agreement=agreement,
        date=datetime.date(2025, 5, 12),
        kind="ruling",
        title="Court declines to block the agreement",
        description="A_very_long_unbroken_token_" * 6,
    )
    return agreement


def test_agreement_page_fits_a_phone_with_the_timeline_in_date_order(
    live_server, phone_page, agreement
):
    phone_page.goto(live_server.url + agreement.get_absolute_url())

    timeline = phone_page.locator("ol.timeline")
    timeline.scroll_into_view_if_needed()
    assert timeline.is_visible()
    titles = phone_page.locator(".timeline__title").all_inner_texts()
    assert titles == [
        "Talks between the IRS and ICE reported",
        "Bessent and Noem sign the memorandum",
        "Court declines to block the agreement",
    ]
    dates = phone_page.locator(".timeline__date time").evaluate_all(
        "els => els.map(e => e.getAttribute('datetime'))"
    )
    assert dates == ["2025-03", "2025-04-07", "2025-05-12"]
    scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"]


def test_event_permalink_targets_its_event(live_server, phone_page, agreement):
    event = agreement.events.get(title="Bessent and Noem sign the memorandum")
    phone_page.goto(live_server.url + agreement.get_absolute_url())

    phone_page.locator(f"#event-{event.pk} a.permalink").click()

    phone_page.wait_for_url(f"**#event-{event.pk}")
    targeted = phone_page.evaluate("document.querySelector(':target').id")
    assert targeted == f"event-{event.pk}"


def test_source_record_link_opens_the_article_page(live_server, phone_page, agreement):
    event = agreement.events.get(title="Bessent and Noem sign the memorandum")
    article = event.sources.get()
    phone_page.goto(live_server.url + agreement.get_absolute_url())

    source = phone_page.locator(f"#event-{event.pk} .sources a", has_text="IRS reaches deal")
    assert source.get_attribute("href") == "https://news.example/irs-ice-deal"
    phone_page.locator(f"#event-{event.pk} a.source__record").click()

    phone_page.wait_for_url(f"**{article.get_absolute_url()}")
    assert phone_page.locator("h1").inner_text() == article.title
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_agreement_index_lists_the_agreement_and_links_to_it(live_server, phone_page, agreement):
    phone_page.goto(live_server.url + "/agreements/")

    assert phone_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    card = phone_page.locator(".card", has_text=agreement.title)
    assert card.locator(".badge").inner_text() == "Signed"
    assert "Court declines to block the agreement" in card.locator(".latest").inner_text()
    card.locator(".card__title a").click()

    phone_page.wait_for_url(f"**{agreement.get_absolute_url()}")
    assert phone_page.locator("h1").inner_text() == agreement.title


def test_agreement_page_contents_and_dates_read_whole_on_a_phone(
    live_server, phone_page, agreement
):
    phone_page.goto(live_server.url + agreement.get_absolute_url())

    contents = phone_page.locator("nav.toc a").evaluate_all(
        "els => els.map(e => [e.textContent, e.getBoundingClientRect().right])"
    )
    assert [text for text, _ in contents][-1] == "Changes"
    assert all(right <= PHONE["width"] for _, right in contents), contents
    # A date broken over two lines ("8 / April 2025") has more than one line box.
    broken = phone_page.locator("time").evaluate_all(
        "els => els.filter(e => e.getClientRects().length > 1).map(e => e.textContent)"
    )
    assert broken == []
