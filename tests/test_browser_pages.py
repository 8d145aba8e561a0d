"""Every page type on the demo data in a real headless Chromium: it fits a 375px phone, axe-core
finds no serious or critical accessibility violation, a timeline mark leads to its event and its
source, an index filter works through the form, the Atom feed parses, and the embed loads inside
an iframe on another origin while the full page refuses to be framed. Screenshots of each page go
to test-artifacts/screenshots/ (gitignored)."""

import datetime
import http.server
import os
import re
import threading
from pathlib import Path

import feedparser
import pytest
from django.conf import settings
from django.test import Client

from apps.alerts import services as alerts
from apps.alerts.models import Webhook
from apps.alerts.webhooks import generate_secret
from apps.news.models import Article, Outlet
from apps.tracker.demo import load_demo_data
from apps.tracker.models import Actor, Agreement, Event, LegalChallenge, Statement, Topic
from tests.test_browser import CHROMIUM_ARGS, PHONE, _chromium_path

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser():
    path = _chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# axe-core is injected as an inline script, which the site's strict CSP rightly refuses; these
# contexts let the test's own injection through (the pages' CSP is tested elsewhere).
@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=1, is_mobile=True, bypass_csp=True
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def demo(transactional_db):
    load_demo_data()
    return {
        "agreement": Agreement.objects.get(slug="irs-ice-mou"),
        "challenge": LegalChallenge.objects.get(),
    }


def _page_urls():
    article = Article.objects.filter(fetch_status="fetched").first() or Article.objects.first()
    agreement = Agreement.objects.get(slug="irs-ice-mou")
    challenge = LegalChallenge.objects.get()
    actor = Actor.objects.get(slug="public-citizen")
    return {
        "home": "/",
        "agreements": "/agreements/",
        "actors": "/actors/",
        "challenges": "/challenges/",
        "topics": "/topics/",
        "agreement": Agreement.objects.get(slug="irs-ice-mou").get_absolute_url(),
        "actor": Actor.objects.get(slug="public-citizen").get_absolute_url(),
        "challenge": LegalChallenge.objects.get().get_absolute_url(),
        "topic": Topic.objects.order_by("pk").first().get_absolute_url(),
        "article": article.get_absolute_url(),
        "outlet": Outlet.objects.first().get_absolute_url(),
        "embed": "/embed/agreements/irs-ice-mou/",
        "not-found": "/agreements/no-such-thing/",
        "filtered": "/agreements/?status=bogus",
        "search": "/search/?q=IRS",
        "search-empty": "/search/",
        "agreement-timeline": f"/agreements/{agreement.slug}/timeline/",
        "challenge-timeline": f"/challenges/{challenge.slug}/timeline/",
        "agreement-coverage": f"/agreements/{agreement.slug}/coverage/",
        "actor-coverage": f"/actors/{actor.slug}/coverage/",
        "challenge-coverage": f"/challenges/{challenge.slug}/coverage/",
        "event": agreement.events.order_by("date", "id").first().get_absolute_url(),
        "statement": Statement.objects.filter(position__agreement=agreement)
        .order_by("id")
        .first()
        .get_absolute_url(),
        "sign-in": "/accounts/login/",
        "sign-up": "/accounts/signup/",
        "password-reset": "/accounts/password/reset/",
    }


def _signed_in_page_urls(member):
    """The pages of a signed-in reader: follows and alerts, webhooks, an unsubscribe link."""
    from apps.alerts.digests import unsubscribe_token

    follows = [
        alerts.follow(
            user=member, target=Agreement.objects.get(slug="irs-ice-mou"), kind="agreement"
        ),
        alerts.follow(user=member, target=Actor.objects.get(slug="public-citizen"), kind="actor"),
        alerts.follow(user=member, query="status=in_effect"),
        alerts.follow(user=member, search="q=ITIN&type=statement"),
    ]
    webhook = Webhook.objects.create(
        owner=member,
        url="https://hooks.example.org/policytracker",
        event_types=["event.created"],
        secret=generate_secret(),
    )
    token = unsubscribe_token(user_id=member.pk, follow_ids=[follows[0].pk])
    return {
        "follows": "/alerts/follows/",
        "webhooks": "/alerts/webhooks/",
        "webhook": f"/alerts/webhooks/{webhook.pk}/",
        "unsubscribe": f"/alerts/unsubscribe/{token}/",
        "password-change": "/accounts/password/change/",
        "emails": "/accounts/email/",
        # Followed: the follow button with its "since your last visit" panel.
        "followed-agreement": "/agreements/irs-ice-mou/",
        "followed-search": "/search/?q=ITIN&type=statement",
    }


def _serious_axe_violations(page):
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations
                .filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(" ")).join(", ")}`);
        }"""
    )


def _phone_problems(phone, base_url, urls, *, statuses):
    """Load each page at 375px, save its screenshot, and name those that scroll sideways or
    have a serious or critical axe-core violation."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = {}
    for name, url in urls.items():
        response = phone.goto(base_url + url)
        assert response.status == statuses.get(name, 200), (name, url, response.status)
        phone.screenshot(path=str(SCREENSHOTS / f"{name}-375.png"), full_page=True)
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems[name] = f"scrolls sideways: {width}px"
        violations = _serious_axe_violations(phone)
        if violations:
            problems[name] = violations
    return problems


def test_every_page_type_fits_a_phone_and_has_no_serious_axe_violation(live_server, phone, demo):
    statuses = {"not-found": 404, "filtered": 400}
    assert _phone_problems(phone, live_server.url, _page_urls(), statuses=statuses) == {}


def _sign_in(page, live_server, member) -> None:
    session = Client()
    session.force_login(member)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_every_signed_in_page_fits_a_phone_and_has_no_serious_axe_violation(
    live_server, phone, demo, member
):
    _sign_in(phone, live_server, member)
    urls = _signed_in_page_urls(member)
    assert _phone_problems(phone, live_server.url, urls, statuses={}) == {}
    # Signed in indeed: the follows page lists the reader's follows.
    phone.goto(live_server.url + urls["follows"])
    assert "Public Citizen" in phone.locator("main").inner_text()
    assert "the search “ITIN” (statements)" in phone.locator("main").inner_text()
    phone.goto(live_server.url + urls["followed-search"])
    assert "since your last visit" in phone.locator(".since-visit").inner_text()


def test_a_reader_follows_a_search_from_its_results(live_server, desktop, demo, member):
    from apps.alerts.models import Follow

    _sign_in(desktop, live_server, member)
    desktop.goto(live_server.url + "/search/?q=taxpayer&type=statement")

    desktop.get_by_role("button", name="Follow this search").click()

    desktop.wait_for_url("**/search/?q=taxpayer&type=statement")
    assert "You follow the search “taxpayer” (statements)." in desktop.locator("main").inner_text()
    assert desktop.get_by_role("button", name="Unfollow").is_visible()
    assert list(Follow.objects.values_list("search", flat=True)) == ["q=taxpayer&type=statement"]


def test_desktop_pages_have_no_serious_axe_violation(live_server, desktop, demo):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = {}
    for name in ("home", "agreement", "challenge", "actor", "search", "agreement-timeline"):
        desktop.goto(live_server.url + _page_urls()[name])
        desktop.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)
        violations = _serious_axe_violations(desktop)
        if violations:
            problems[name] = violations
    assert problems == {}


def test_a_timeline_mark_leads_to_its_event_and_its_source(live_server, desktop, demo):
    agreement = demo["agreement"]
    event = agreement.events.filter(sources__isnull=False).order_by("date", "id").first()
    source = event.sources.first()
    desktop.goto(live_server.url + agreement.get_absolute_url())

    desktop.locator(f'svg a[href="#event-{event.pk}"]').click()

    desktop.wait_for_url(f"**#event-{event.pk}")
    assert desktop.evaluate("document.querySelector(':target').id") == f"event-{event.pk}"
    link = desktop.locator(f"#event-{event.pk} .sources a").first
    assert link.get_attribute("href") == source.canonical_url
    # The source itself is on the open web; our record of it is on this site.
    desktop.locator(f"#event-{event.pk} a.source__record").first.click()
    desktop.wait_for_url(f"**{source.get_absolute_url()}")
    assert desktop.locator("h1").inner_text() == source.title


def test_the_timeline_marks_are_reachable_by_keyboard(live_server, desktop, demo):
    agreement = demo["agreement"]
    desktop.goto(live_server.url + agreement.get_absolute_url())
    first_mark = desktop.locator("svg a.tl-link").first
    first_mark.focus()

    desktop.keyboard.press("Enter")

    href = first_mark.get_attribute("href")
    desktop.wait_for_url(f"**{href}")


def test_an_old_anchor_permalink_to_an_entry_past_the_cap_opens_its_own_page(
    live_server, desktop, demo
):
    agreement = demo["agreement"]
    early = Event.objects.create(
        agreement=agreement, date=datetime.date(2001, 1, 1), kind="reported", title="Long ago"
    )
    Event.objects.bulk_create(
        Event(agreement=agreement, date=datetime.date(2024, 1, 1), kind="reported", title=f"{n}")
        for n in range(60)
    )

    desktop.goto(f"{live_server.url}{agreement.get_absolute_url()}#event-{early.pk}")

    desktop.wait_for_url(f"**/events/{early.pk}/")
    assert desktop.locator("h1").inner_text() == "Long ago"


def test_the_script_adds_copy_buttons_to_citations(live_server, desktop, demo):
    desktop.goto(live_server.url + demo["agreement"].get_absolute_url())
    desktop.locator("details.cite summary").first.click()

    button = desktop.locator("details.cite .copy-button").first
    assert button.is_visible()
    assert button.get_attribute("aria-label") == "Copy plain-text citation"


def test_an_index_filter_works_through_the_form_and_stays_in_the_url(live_server, phone, demo):
    LegalChallenge.objects.create(caption="Another v. Case", slug="another", status="dismissed")
    phone.goto(live_server.url + "/challenges/")
    assert phone.locator(".case").count() == 2

    phone.select_option("select[name=status]", "dismissed")
    phone.locator("form.filters button[type=submit]").click()

    phone.wait_for_url(re.compile(r".*status=dismissed.*"))
    assert phone.locator(".case__caption").all_inner_texts() == ["Another v. Case"]
    assert phone.locator("select[name=status]").input_value() == "dismissed"


def test_the_advertised_atom_feed_opens_and_parses(live_server, desktop, demo):
    agreement = demo["agreement"]
    desktop.goto(live_server.url + agreement.get_absolute_url())
    href = desktop.locator(
        f'link[rel=alternate][type="application/atom+xml"][href*="{agreement.slug}"]'
    ).get_attribute("href")

    response = desktop.request.get(live_server.url + href)
    feed = feedparser.parse(response.body())

    assert response.status == 200 and not feed.bozo
    assert feed.feed.title == f"PolicyTracker: {agreement.title}"
    assert {entry.link for entry in feed.entries} >= {
        live_server.url + event.get_absolute_url() for event in agreement.events.all()
    }


@pytest.fixture
def other_origin(live_server):
    """A second local server on 127.0.0.1 (another port, so another origin) whose page frames
    the embed and, for contrast, the full agreement page."""
    page = (
        "<!doctype html><title>A news site</title><h1>Story</h1>"
        f'<iframe id="embed" title="Timeline" src="{live_server.url}/embed/agreements/irs-ice-mou/"'
        ' width="600" height="400"></iframe>'
        f'<iframe id="full" title="Full page" src="{live_server.url}/agreements/irs-ice-mou/"'
        ' width="600" height="400"></iframe>'
    ).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def test_the_embed_loads_in_an_iframe_on_another_origin_without_cookies(
    live_server, browser, demo, other_origin
):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto(other_origin)
    embed = page.frame_locator("#embed")
    embed.locator("svg.timeline-chart__svg").wait_for()

    timeline = Event.objects.timeline_of_agreement(demo["agreement"])
    assert embed.locator(".embed-list li").count() == timeline.count()
    # The full page sends X-Frame-Options: DENY, so its frame stays empty.
    page.wait_for_load_state("load")
    assert page.frame_locator("#full").locator("article.record h1").count() == 0
    # Nothing was requested from anywhere but the two local servers, and no cookie was set.
    assert all(url.startswith(("http://127.0.0.1:", "http://localhost:")) for url in requests)
    assert context.cookies() == []
    page.screenshot(path=str(SCREENSHOTS / "embed-in-iframe.png"))
    context.close()
