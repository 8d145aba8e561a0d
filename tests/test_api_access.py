"""Who may do what through the API: no resource leaks an unpublished row or a non-public field,
a token acts with its user's model permissions and nothing more, a write cannot set a field its
shape does not take, and a record others refer to is not deleted (409 naming what refers to it).
"""

import json

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.alerts.models import Webhook
from apps.news.models import Article, ArticleLink
from apps.tracker.models import Event, Position, Statement
from tests.api_errors import errors_by_parameter
from tests.factories import (
    AgreementFactory,
    ArticleFactory,
    ArticleLinkFactory,
    ChallengePartyFactory,
    CuratorFactory,
    EventFactory,
    FeedFactory,
    LegalChallengeFactory,
    PartyFactory,
    PositionFactory,
    StatementFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CURATOR_NAME = "night-desk-curator"
CURATOR_EMAIL = "night-desk@newsroom.internal"
FETCH_ERROR = "could not fetch from cms.newsroom.internal: connection refused"
FEED_ERROR = "HTTP 500 from feeds.newsroom.internal"
# Fields that belong to curators, the pipeline or a user account, never to a public response.
PRIVATE_KEYS = {
    "history",
    "history_user",
    "history_id",
    "password",
    "email",
    "secret",
    "fetch_error",
    "text_fingerprint",
    "unfinished_fetches",
    "last_error",
    "etag",
    "last_modified",
    "owner",
}


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def with_permissions(*codenames, **fields):
    user = UserFactory(**fields)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def keys_of(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


@pytest.fixture
def record():
    """One of everything, with the traces a curator and the pipeline leave: the curator's name
    in history and on a decided link, a cited article whose fetch failed with an internal host
    in its error, a feed failing the same way, suggested and rejected links."""
    curator = CuratorFactory(username=CURATOR_NAME, email=CURATOR_EMAIL)
    agreement = AgreementFactory(slug="irs-ice-mou", title="IRS–ICE memorandum")
    agreement.topics.add(TopicFactory(slug="privacy"))
    PartyFactory(agreement=agreement)
    failed = ArticleFactory(
        feed=FeedFactory(last_error=FEED_ERROR),
        fetch_status=Article.FetchStatus.FAILED,
        fetch_error=FETCH_ERROR,
    )
    position = PositionFactory(agreement=agreement)
    statement = StatementFactory(position=position, source=failed)
    event = EventFactory(agreement=agreement, sources=[failed])
    event._history_user = curator
    event.save()
    challenge = LegalChallengeFactory(slug="case")
    challenge.agreements.add(agreement)
    ChallengePartyFactory(challenge=challenge)
    confirmed = ArticleLinkFactory(
        article=failed, agreement=agreement, status="confirmed", decided_by=curator
    )
    suggested = ArticleLinkFactory(agreement=agreement)
    rejected = ArticleLinkFactory(agreement=agreement, status="rejected", decided_by=curator)
    return {
        "agreement": agreement,
        "event": event,
        "statement": statement,
        "position": position,
        "challenge": challenge,
        "article": failed,
        "links": (confirmed, suggested, rejected),
    }


def urls_of(resource: str, record) -> list[str]:
    detail = {
        "agreement": ("slug", record["agreement"].slug),
        "actor": ("slug", record["position"].actor.slug),
        "challenge": ("slug", record["challenge"].slug),
        "event": ("pk", record["event"].pk),
        "statement": ("pk", record["statement"].pk),
        "position": ("pk", record["position"].pk),
        "topic": ("slug", "privacy"),
        "outlet": ("slug", record["article"].outlet.slug),
        "article": ("pk", record["article"].pk),
        "link": ("pk", record["links"][0].pk),
    }[resource]
    urls = [
        reverse(f"api:{resource}-list"),
        reverse(f"api:{resource}-detail", kwargs={detail[0]: detail[1]}),
    ]
    if resource == "agreement":
        slug = record["agreement"].slug
        urls += [reverse(f"api:agreement-{n}", args=[slug]) for n in ("timeline", "positions")]
        urls.append(reverse("api:agreement-statements", args=[slug]))
    if resource == "challenge":
        urls.append(reverse("api:challenge-timeline", args=[record["challenge"].slug]))
    if resource in ("agreement", "event", "article"):
        urls.append(reverse(f"api:{resource}-list") + "?format=csv")
    return urls


# --- No leak: one test per resource -----------------------------------------------------------


@pytest.mark.parametrize(
    "resource",
    [
        "agreement",
        "actor",
        "challenge",
        "event",
        "statement",
        "position",
        "topic",
        "outlet",
        "article",
        "link",
    ],
)
def test_no_resource_shows_the_public_a_curator_an_internal_error_or_a_private_field(
    api_client, record, resource
):
    for url in urls_of(resource, record):
        response = api_client.get(url)
        assert response.status_code == 200, (url, response.content)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode()
        for secret in (CURATOR_NAME, CURATOR_EMAIL, FETCH_ERROR, FEED_ERROR, "newsroom.internal"):
            assert secret not in text, (url, secret)
        if "json" in response["Content-Type"]:
            assert not keys_of(json.loads(text)) & PRIVATE_KEYS, url


def test_links_show_the_public_only_confirmed_ones_and_never_who_decided(api_client, record):
    confirmed = record["links"][0]

    listed = api_client.get(reverse("api:link-list")).json()["results"]
    details = [api_client.get(reverse("api:link-detail", args=[ln.pk])) for ln in record["links"]]

    assert [(link["id"], link["decided_by"]) for link in listed] == [(confirmed.pk, None)]
    assert [response.status_code for response in details] == [200, 404, 404]


def test_curators_who_review_links_see_every_link_and_who_decided_it(record):
    reviewer = client_for(with_permissions("view_articlelink", username="reviewer"))
    confirmed, suggested, rejected = record["links"]

    listed = reviewer.get(reverse("api:link-list")).json()["results"]

    assert {(link["id"], link["status"], link["decided_by"]) for link in listed} == {
        (confirmed.pk, "confirmed", CURATOR_NAME),
        (suggested.pk, "suggested", None),
        (rejected.pk, "rejected", CURATOR_NAME),
    }


def test_a_token_without_the_review_permission_sees_what_the_public_sees(record):
    plain = client_for(UserFactory(is_staff=True))

    listed = plain.get(reverse("api:link-list")).json()["results"]

    assert [link["status"] for link in listed] == ["confirmed"]


def test_articles_never_show_pending_or_failed_fetches_that_nothing_cites(api_client, record):
    feed = FeedFactory()
    pending = ArticleFactory(feed=feed, fetch_status=Article.FetchStatus.PENDING, title="Pending")
    failed = ArticleFactory(
        feed=feed, fetch_status=Article.FetchStatus.FAILED, fetch_error=FETCH_ERROR
    )

    listed = {item["id"] for item in api_client.get(reverse("api:article-list")).json()["results"]}

    assert not {pending.pk, failed.pk} & listed
    assert record["article"].pk in listed  # a cited source is served, without its error
    for article in (pending, failed):
        assert api_client.get(reverse("api:article-detail", args=[article.pk])).status_code == 404


def test_feeds_are_for_staff_tokens_only(api_client):
    FeedFactory(last_error=FEED_ERROR)
    url = reverse("api:feed-list")

    anonymous = api_client.get(url)
    member = client_for(with_permissions("view_feed")).get(url)
    staff = client_for(UserFactory(is_staff=True)).get(url)

    assert (anonymous.status_code, member.status_code, staff.status_code) == (401, 403, 200)
    assert staff.json()["results"][0]["last_error"] == FEED_ERROR


def test_webhooks_of_other_users_are_invisible_with_their_secrets(settings):
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1:9"]
    theirs = Webhook.objects.create(
        owner=UserFactory(email="them@example.org"),
        url="http://127.0.0.1:9/theirs",
        event_types=["event.created"],
        secret="whsec_dGhlaXJzZWNyZXQ=",
    )
    client = client_for(UserFactory())
    base = f"/api/v1/webhooks/{theirs.pk}/"

    listed = client.get("/api/v1/webhooks/")
    answers = [
        client.get(base),
        client.get(base + "attempts/"),
        client.post(base + "test/"),
        client.post(base + "rotate-secret/"),
        client.delete(base),
    ]

    assert listed.json()["results"] == []
    assert [answer.status_code for answer in answers] == [404] * 5
    theirs.refresh_from_db()
    assert theirs.secret == "whsec_dGhlaXJzZWNyZXQ="


# --- Tokens act with their user's permissions -------------------------------------------------


@pytest.fixture
def new_event():
    AgreementFactory(slug="mou")
    return {"date": "2025-04-07", "kind": "signed", "title": "MOU signed", "agreement": "mou"}


def test_a_token_can_do_what_its_user_may_and_nothing_else(new_event):
    client = client_for(with_permissions("add_event"))
    existing = EventFactory()
    position = {"actor": existing.agreement.slug, "agreement": "mou", "stance": "opposes"}

    created = client.post(reverse("api:event-list"), new_event, format="json")
    changed = client.patch(
        reverse("api:event-detail", args=[existing.pk]), {"title": "X"}, format="json"
    )
    deleted = client.delete(reverse("api:event-detail", args=[existing.pk]))
    other_model = client.post(reverse("api:position-list"), position, format="json")
    confirm = client.post(reverse("api:link-confirm", args=[ArticleLinkFactory().pk]))

    assert created.status_code == 201, created.content
    assert [r.status_code for r in (changed, deleted, other_model, confirm)] == [403] * 4
    existing.refresh_from_db()
    assert existing.title != "X"


def test_staff_status_alone_grants_no_write(new_event):
    response = client_for(UserFactory(is_staff=True)).post(
        reverse("api:event-list"), new_event, format="json"
    )

    assert response.status_code == 403
    assert not Event.objects.filter(title="MOU signed").exists()


def test_a_permission_taken_away_stops_the_token_at_once(new_event):
    user = with_permissions("add_event")
    client = client_for(user)
    user.user_permissions.clear()

    response = client.post(reverse("api:event-list"), new_event, format="json")

    assert response.status_code == 403


def test_the_token_of_a_deactivated_user_is_refused(new_event):
    user = CuratorFactory(username="left-the-desk")
    client = client_for(user)
    user.is_active = False
    user.save()

    assert client.post(reverse("api:event-list"), new_event, format="json").status_code == 401
    assert client.get(reverse("api:feed-list")).status_code == 401


def test_a_signed_in_curators_session_cannot_write_without_the_csrf_token(new_event):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(CuratorFactory())

    response = browser.post(
        reverse("api:event-list"), json.dumps(new_event), content_type="application/json"
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["errors"][0]["detail"]
    assert not Event.objects.filter(title="MOU signed").exists()


# --- No mass assignment -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "refused"),
    [
        ("event", {"id": 999, "updated_at": "2000-01-01T00:00:00Z", "history": []}),
        ("event", {"permalink": "https://evil.example/", "sourced": True}),
        ("statement", {"created_at": "2000-01-01T00:00:00Z", "stance": "supports"}),
        ("position", {"updated_at": "2000-01-01T00:00:00Z", "statements_url": "x"}),
    ],
)
def test_a_write_that_sets_a_field_its_shape_does_not_take_is_400_and_changes_nothing(
    resource, refused
):
    client = client_for(CuratorFactory())
    statement = StatementFactory()
    target = {
        "event": EventFactory(title="Kept"),
        "statement": statement,
        "position": statement.position,
    }[resource]
    before = {field.attname: getattr(target, field.attname) for field in target._meta.fields}

    response = client.patch(
        reverse(f"api:{resource}-detail", args=[target.pk]), refused, format="json"
    )

    assert response.status_code == 400
    assert set(errors_by_parameter(response)) == set(refused)
    target.refresh_from_db()
    assert {field.attname: getattr(target, field.attname) for field in target._meta.fields} == (
        before
    )


def test_a_new_record_cannot_choose_its_id_or_timestamps(new_event):
    response = client_for(CuratorFactory()).post(
        reverse("api:event-list"), {**new_event, "id": 4242, "created_at": "2000-01-01"}, "json"
    )

    assert response.status_code == 400
    assert set(errors_by_parameter(response)) == {"id", "created_at"}
    assert not Event.objects.exists()


def test_a_link_decision_takes_its_decider_from_the_token_not_the_body():
    reviewer = with_permissions("change_articlelink", "view_articlelink", username="reviewer")
    someone_else = CuratorFactory(username="someone-else")
    link = ArticleLinkFactory()

    response = client_for(reviewer).post(
        reverse("api:link-confirm", args=[link.pk]),
        {"decided_by": someone_else.pk, "status": "rejected", "article": 1},
        format="json",
    )

    assert response.status_code == 200
    link.refresh_from_db()
    assert (link.status, link.decided_by) == (ArticleLink.Status.CONFIRMED, reviewer)


def test_articles_cannot_be_written_through_the_api_whatever_the_token():
    """Adding one by URL is the only write (tests/news/test_add_by_url_api.py): it takes a URL
    and a curator's text, never what ingestion decides."""
    article = ArticleFactory(fetch_status=Article.FetchStatus.FETCHED, title="As fetched")
    client = client_for(CuratorFactory())
    url = reverse("api:article-detail", args=[article.pk])

    answers = [
        client.patch(url, {"fetch_status": "failed", "title": "Rewritten"}, format="json"),
        client.put(url, {"fetch_status": "failed"}, format="json"),
        client.delete(url),
    ]
    added = client.post(
        reverse("api:article-list"),
        {"url": article.canonical_url, "fetch_status": "failed", "title": "Rewritten"},
        format="json",
    )

    assert [answer.status_code for answer in answers] == [405] * 3
    assert added.status_code == 400
    assert list(errors_by_parameter(added)) == ["fetch_status"]
    assert Article.objects.count() == 1
    article.refresh_from_db()
    assert (article.fetch_status, article.title) == ("fetched", "As fetched")


def test_a_webhooks_owner_secret_and_state_are_never_the_clients_to_set(settings):
    settings.INGEST_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1:9"]
    member, other = UserFactory(), UserFactory()

    response = client_for(member).post(
        "/api/v1/webhooks/",
        {
            "url": "http://127.0.0.1:9/hook",
            "event_types": ["event.created"],
            "owner": other.pk,
            "secret": "whsec_Y2hvc2VuYnljbGllbnQ=",
            "is_active": False,
            "disabled_reason": "chosen",
        },
        format="json",
    )

    assert response.status_code == 201
    webhook = Webhook.objects.get()
    assert webhook.owner == member
    assert webhook.secret != "whsec_Y2hvc2VuYnljbGllbnQ="
    assert (webhook.is_active, webhook.disabled_reason) == (True, "")


# --- Deletions --------------------------------------------------------------------------------


def test_a_curator_deletes_an_event_and_history_names_them():
    curator = with_permissions("delete_event", username="tidy-curator")
    event = EventFactory()

    response = client_for(curator).delete(reverse("api:event-detail", args=[event.pk]))

    assert response.status_code == 204
    assert not Event.objects.filter(pk=event.pk).exists()
    deletion = Event.history.filter(id=event.pk).latest("history_date")
    assert (deletion.history_type, deletion.history_user) == ("-", curator)


def test_deleting_a_position_that_statements_belong_to_is_409_naming_them():
    position = PositionFactory()
    StatementFactory.create_batch(2, position=position)

    response = client_for(CuratorFactory()).delete(
        reverse("api:position-detail", args=[position.pk])
    )

    assert response.status_code == 409
    assert response.json()["errors"][0]["detail"] == (
        "This position cannot be deleted: 2 statements refer to it. Delete or reassign them first."
    )
    assert Position.objects.filter(pk=position.pk).exists()
    assert Statement.objects.filter(position=position).count() == 2


def test_a_delete_needs_the_delete_permission():
    statement = StatementFactory()
    client = client_for(with_permissions("change_statement"))

    response = client.delete(reverse("api:statement-detail", args=[statement.pk]))

    assert response.status_code == 403
    assert Statement.objects.filter(pk=statement.pk).exists()


def test_links_page_newest_first_by_cursor_without_losing_or_repeating_one(api_client):
    agreement = AgreementFactory()
    links = [
        ArticleLinkFactory(agreement=agreement, status="confirmed", decided_by=UserFactory())
        for _ in range(5)
    ]
    ArticleLinkFactory(agreement=agreement)  # suggested: never listed for the public

    seen, url = [], reverse("api:link-list") + "?page_size=2"
    while url:
        page = api_client.get(url).json()
        assert "count" not in page  # a growing collection: no count of every link
        seen += [link["id"] for link in page["results"]]
        url = page["next"]

    assert seen == [link.pk for link in sorted(links, key=lambda ln: (ln.created_at, ln.pk))][::-1]
