"""The curators' workbench in a real headless Chromium: an agreement entered on one screen, an
article added by URL from a local site, two actors merged, and admin pages that fit 1280 px."""

import datetime
import os

import pytest
from werkzeug import Response

from apps.news.models import Article
from apps.tracker.models import Actor, Agreement, Statement
from tests.factories import (
    ActorFactory,
    AliasFactory,
    ArticleFactory,
    ArticleLinkFactory,
    CuratorFactory,
    EventFactory,
    FeedFactory,
    LegalChallengeFactory,
    PartyFactory,
    PersonFactory,
    PositionFactory,
    StatementFactory,
)
from tests.news.local_site import BODY_MOU, article_page
from tests.test_browser import CHROMIUM_ARGS, _chromium_path

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

SCREEN = {"width": 1280, "height": 800}
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def browser():
    path = _chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def admin_page(browser, live_server, transactional_db):
    CuratorFactory(username="night-curator")
    context = browser.new_context(viewport=SCREEN)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "night-curator")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    yield page
    context.close()


def pick(page, select_id, text):
    """Choose `text` in the autocomplete (select2) widget of the <select> with this id."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    search = page.locator(".select2-container--open .select2-search__field")
    search.fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()
    # No autocomplete request may still be running when the form is sent: the live server's
    # threads share one SQLite connection, and two requests at once interleave their savepoints.
    page.wait_for_load_state("networkidle")


# The autocomplete widgets send requests while the form is filled; the SQLite live server's
# threads share one in-memory connection, so a request overlapping the POST breaks its
# savepoints (seen in CI). PostgreSQL gives each thread its own connection.
@pytest.mark.postgres
def test_a_new_agreement_with_two_events_a_statement_and_a_source_on_one_screen(
    admin_page, live_server
):
    page = admin_page
    ActorFactory(name="Centers for Medicare & Medicaid Services", slug="cms")
    state = ActorFactory(name="State of California", slug="ca", kind="state_government")
    PersonFactory(name="Rob Bonta", slug="rob-bonta")
    ArticleFactory(title="CMS hands ICE the Medicaid data of millions")

    page.goto(live_server.url + "/admin/tracker/agreement/add/")
    page.fill("#id_title", "CMS–ICE Medicaid data-sharing agreement")
    page.select_option("#id_kind", "mou")
    page.select_option("#id_status", "partially_enjoined")

    events = page.locator("#events-group")
    for i, (title, date, precision) in enumerate(
        [
            ("CMS shares Medicaid data with ICE", "2025-06-01", "month"),
            ("California and 19 states sue", "2025-07-01", "day"),
        ]
    ):
        events.locator(".add-row a").click()
        page.fill(f"#id_events-{i}-title", title)
        page.select_option(f"#id_events-{i}-kind", "reported" if i == 0 else "filed")
        page.fill(f"#id_events-{i}-date", date)
        page.select_option(f"#id_events-{i}-date_precision", precision)
    page.fill("#id_events-0-description", "Reported by the Associated Press.")
    pick(page, "id_events-0-actors", "Centers for Medicare")
    pick(page, "id_events-0-sources", "CMS hands ICE")

    page.locator("#agreement_statements-group .add-row a").click()
    pick(page, "id_agreement_statements-0-stakeholder", "State of California")
    page.select_option("#id_agreement_statements-0-stance", "opposes")
    pick(page, "id_agreement_statements-0-speaker", "Rob Bonta")
    page.fill("#id_agreement_statements-0-text", "An unlawful breach of patients' privacy.")
    page.fill("#id_agreement_statements-0-said_on", "2025-07-01")
    pick(page, "id_agreement_statements-0-source", "CMS hands ICE")
    page.click("input[name=_continue]")

    page.wait_for_selector(".messagelist .success")
    agreement = Agreement.objects.get()
    assert agreement.slug == "cms-ice-medicaid-data-sharing-agreement"
    assert agreement.status == "partially_enjoined"
    first = agreement.events.get(title="CMS shares Medicaid data with ICE")
    assert first.date == datetime.date(2025, 6, 1) and first.date_precision == "month"
    assert [a.slug for a in first.actors.all()] == ["cms"]
    assert first.sources.get().title == "CMS hands ICE the Medicaid data of millions"
    assert agreement.events.count() == 2
    statement = Statement.objects.get()
    assert statement.position.actor == state and statement.position.stance == "opposes"
    assert statement.speaker.slug == "rob-bonta" and statement.source is not None
    assert page.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"]


def test_add_an_article_by_url_and_see_its_suggestions(admin_page, live_server, allow_local_server):
    page = admin_page
    server = allow_local_server
    ice = ActorFactory(name="Immigration and Customs Enforcement", slug="ice")
    AliasFactory(actor=ice, text="ICE", case_sensitive=True)
    server.expect_request("/2025/04/08/irs-ice-deal").respond_with_data(
        article_page(
            headline="IRS agrees to help ICE find immigrants",
            paragraphs=BODY_MOU,
            published="2025-04-08T14:00:00+00:00",
        ),
        content_type="text/html",
    )
    server.expect_request("/paywalled").respond_with_response(Response("no", status=402))
    url = f"http://127.0.0.1:{server.port}/2025/04/08/irs-ice-deal?utm_source=newsletter"

    page.goto(live_server.url + "/admin/news/article/")
    page.click(".object-tools a.addlink")
    page.fill("#id_url", url)
    page.click("input[type=submit]")

    page.wait_for_selector(".messagelist li")
    article = Article.objects.get()
    assert article.canonical_url == url.split("?")[0]
    assert "link suggestion(s) wait in the review queue" in page.inner_text(".messagelist")
    page.goto(live_server.url + "/admin/news/articlelink/")
    row = page.locator("#result_list tbody tr", has_text="IRS agrees to help ICE")
    assert "Immigration and Customs Enforcement" in row.first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"]


def test_merge_two_actors_repoints_references_and_redirects_the_old_url(admin_page, live_server):
    page = admin_page
    survivor = ActorFactory(name="Immigration and Customs Enforcement", slug="ice")
    duplicate = ActorFactory(name="U.S. Immigration & Customs Enforcement", slug="us-ice")
    party = PartyFactory(actor=duplicate)
    statement = StatementFactory(speaker=duplicate)

    page.goto(live_server.url + "/admin/tracker/actor/")
    for actor in (survivor, duplicate):
        page.check(f"input.action-select[value='{actor.pk}']")
    page.select_option("select[name=action]", "merge_selected")
    page.click("button[name=index]")
    page.wait_for_selector(".merge-preview")
    assert "1 × parties (actor)" in page.inner_text(".merge-preview")
    page.check(f"input[name=survivor][value='{survivor.pk}']")
    page.click(".merge-preview input[type=submit]")

    page.wait_for_selector(".messagelist .success")
    party.refresh_from_db()
    statement.refresh_from_db()
    assert party.actor == survivor and statement.speaker == survivor
    assert not Actor.objects.filter(pk=duplicate.pk).exists()
    page.goto(live_server.url + "/actors/us-ice/")
    assert page.url == live_server.url + "/actors/ice/"
    assert page.locator("h1").inner_text() == survivor.name


def test_admin_pages_fit_1280_px_without_sideways_scrolling(admin_page, live_server):
    page = admin_page
    agreement = PartyFactory(
        agreement__title="IRS–ICE data-sharing memorandum of understanding " * 3
    ).agreement
    position = PositionFactory(agreement=agreement)
    StatementFactory(position=position, text="A very long quotation " * 40)
    event = EventFactory(agreement=agreement, description="x" * 500)
    challenge = LegalChallengeFactory()
    article = ArticleFactory(
        title="A very long headline " * 10,
        canonical_url="https://news.example/" + "very-long-path-segment-" * 20,
    )
    link = ArticleLinkFactory(article=article, agreement=agreement, snippet="The IRS–ICE MOU " * 40)
    feed = FeedFactory(
        url="https://feeds.example/" + "long/" * 40,
        last_error="HTTP 403 " * 30,
        last_status="error",
    )
    paths = [
        "/admin/",
        "/admin/tracker/agreement/",
        "/admin/tracker/agreement/add/",
        f"/admin/tracker/agreement/{agreement.pk}/change/",
        "/admin/tracker/actor/",
        "/admin/tracker/event/",
        f"/admin/tracker/event/{event.pk}/change/",
        f"/admin/tracker/legalchallenge/{challenge.pk}/change/",
        "/admin/tracker/statement/",
        "/admin/news/article/",
        f"/admin/news/article/{article.pk}/change/",
        "/admin/news/articlelink/",
        f"/admin/news/articlelink/{link.pk}/change/",
        "/admin/news/feed/",
        f"/admin/news/feed/{feed.pk}/change/",
        "/admin/news/article/add/",
    ]
    too_wide = {}
    for path in paths:
        page.goto(live_server.url + path)
        if page.evaluate("document.documentElement.scrollWidth") > SCREEN["width"]:
            too_wide[path] = page.evaluate(WIDEST_ELEMENTS, SCREEN["width"])
    assert too_wide == {}


# The innermost elements that stick out past the screen's right edge, named so a failure says
# which one to fix.
WIDEST_ELEMENTS = """limit => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > limit + 1)
  .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > limit + 1))
  .slice(0, 5)
  .map(e => `${e.tagName.toLowerCase()}#${e.id}.${[...e.classList].join('.')} `
            + Math.round(e.getBoundingClientRect().right))"""
