"""Every page and endpoint the suite measures, each with its raw-limit counterpart.

To add one: append an `Endpoint` to ENDPOINTS. `path` and `raw` are format strings over the
targets the runner finds in the seeded data (see `bench.runner.find_targets`):
`typical_agreement`, `largest_agreement`, `busiest_actor`, `typical_challenge`, `busiest_topic`,
`deep_cursor`, `deep_published_at`, `deep_id`, `rare_word`, `search_word`, `typo_name`,
`middle_event`, `changes_since`. If no
raw handler has the shape of the new page, add its SQL to `bench/raw.py` (HANDLERS) — one
statement, bounded as the page should be.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    raw: str
    kind: str = "api"  # "api" or "html"


ENDPOINTS = [
    Endpoint("api agreements", "/api/v1/agreements/", "/__raw__/agreements"),
    Endpoint(
        "api agreements ?status=",
        "/api/v1/agreements/?status=in_effect",
        "/__raw__/agreements?status=in_effect",
    ),
    Endpoint(
        "api agreement typical",
        "/api/v1/agreements/{typical_agreement}/",
        "/__raw__/agreement?slug={typical_agreement}",
    ),
    Endpoint(
        "api agreement largest",
        "/api/v1/agreements/{largest_agreement}/",
        "/__raw__/agreement?slug={largest_agreement}",
    ),
    Endpoint(
        "api timeline typical",
        "/api/v1/agreements/{typical_agreement}/timeline/",
        "/__raw__/timeline?slug={typical_agreement}",
    ),
    Endpoint(
        "api timeline largest",
        "/api/v1/agreements/{largest_agreement}/timeline/",
        "/__raw__/timeline?slug={largest_agreement}",
    ),
    Endpoint("api articles", "/api/v1/articles/", "/__raw__/articles"),
    Endpoint(
        "api articles deep cursor",
        "/api/v1/articles/?cursor={deep_cursor}",
        "/__raw__/articles?published_at={deep_published_at}&id={deep_id}",
    ),
    Endpoint(
        "api articles ?search=",
        "/api/v1/articles/?search={rare_word}",
        "/__raw__/search?q={rare_word}",
    ),
    Endpoint("html home", "/", "/__raw__/home", kind="html"),
    Endpoint(
        "html agreement typical",
        "/agreements/{typical_agreement}/",
        "/__raw__/agreement-page?slug={typical_agreement}",
        kind="html",
    ),
    Endpoint(
        "html agreement largest",
        "/agreements/{largest_agreement}/",
        "/__raw__/agreement-page?slug={largest_agreement}",
        kind="html",
    ),
    Endpoint(
        "html actor busiest",
        "/actors/{busiest_actor}/",
        "/__raw__/actor-page?slug={busiest_actor}",
        kind="html",
    ),
    Endpoint(
        "html challenge",
        "/challenges/{typical_challenge}/",
        "/__raw__/challenge-page?slug={typical_challenge}",
        kind="html",
    ),
    # The journalists' pages (issue 13).
    Endpoint("html what changed page 2", "/?page=2", "/__raw__/changes-page", kind="html"),
    Endpoint("html agreements index", "/agreements/", "/__raw__/agreement-index", kind="html"),
    Endpoint(
        "html agreements index ?status=",
        "/agreements/?status=in_effect&ordering=-signed_on",
        "/__raw__/agreement-index",
        kind="html",
    ),
    Endpoint("html actors index", "/actors/", "/__raw__/actor-index", kind="html"),
    Endpoint("html challenges index", "/challenges/", "/__raw__/challenge-index", kind="html"),
    Endpoint("html topics index", "/topics/", "/__raw__/topic-index", kind="html"),
    Endpoint(
        "html embed largest",
        "/embed/agreements/{largest_agreement}/",
        "/__raw__/embed-page?slug={largest_agreement}",
        kind="html",
    ),
    Endpoint(
        "csv timeline largest",
        "/agreements/{largest_agreement}/timeline.csv",
        "/__raw__/timeline?slug={largest_agreement}",
    ),
    Endpoint("atom everything", "/feed/", "/__raw__/feed"),
    Endpoint(
        "atom agreement largest",
        "/agreements/{largest_agreement}/feed/",
        "/__raw__/feed",
    ),
    Endpoint(
        "api search",
        "/api/v1/search/?q={search_word}",
        "/__raw__/site-search-common-word?q={search_word}",
    ),
    Endpoint(
        "api search typo name",
        "/api/v1/search/?q={typo_name}",
        "/__raw__/site-search?q={typo_name}",
    ),
    Endpoint(
        "html search",
        "/search/?q={search_word}",
        "/__raw__/site-search-page?q={search_word}",
        kind="html",
    ),
    # The API's other resources (issue 12): each list's first page, a detail, the nested views.
    Endpoint("api actors", "/api/v1/actors/", "/__raw__/actors"),
    Endpoint(
        "api actor busiest",
        "/api/v1/actors/{busiest_actor}/",
        "/__raw__/actor?slug={busiest_actor}",
    ),
    Endpoint(
        "api actor statements busiest",
        "/api/v1/actors/{busiest_actor}/statements/",
        "/__raw__/actor-statements?slug={busiest_actor}",
    ),
    Endpoint("api challenges", "/api/v1/challenges/", "/__raw__/challenges"),
    Endpoint(
        "api challenge",
        "/api/v1/challenges/{typical_challenge}/",
        "/__raw__/challenge?slug={typical_challenge}",
    ),
    Endpoint(
        "api challenge timeline",
        "/api/v1/challenges/{typical_challenge}/timeline/",
        "/__raw__/challenge-timeline?slug={typical_challenge}",
    ),
    Endpoint("api events", "/api/v1/events/", "/__raw__/events"),
    Endpoint("api statements", "/api/v1/statements/", "/__raw__/statements"),
    Endpoint(
        "api events ?search=",
        "/api/v1/events/?search={search_word}",
        "/__raw__/events-search?q={search_word}",
    ),
    Endpoint(
        "api statements ?search=",
        "/api/v1/statements/?search={search_word}",
        "/__raw__/statements-search?q={search_word}",
    ),
    Endpoint("api positions", "/api/v1/positions/", "/__raw__/positions"),
    Endpoint("api topics", "/api/v1/topics/", "/__raw__/topics"),
    Endpoint("api outlets", "/api/v1/outlets/", "/__raw__/outlets"),
    Endpoint("api links", "/api/v1/links/", "/__raw__/links"),
    Endpoint(
        "html agreement timeline largest page 3",
        "/agreements/{largest_agreement}/timeline/?page=3",
        "/__raw__/agreement-timeline-page?slug={largest_agreement}",
        kind="html",
    ),
    Endpoint(
        "html topic busiest",
        "/topics/{busiest_topic}/",
        "/__raw__/topic-page?slug={busiest_topic}",
        kind="html",
    ),
    # Past the caps of a record's page (issue 13).
    Endpoint(
        "html challenge timeline",
        "/challenges/{typical_challenge}/timeline/",
        "/__raw__/challenge-timeline-page?slug={typical_challenge}",
        kind="html",
    ),
    Endpoint(
        "html coverage largest",
        "/agreements/{largest_agreement}/coverage/",
        "/__raw__/agreement-coverage-page?slug={largest_agreement}",
        kind="html",
    ),
    Endpoint(
        "html coverage busiest actor",
        "/actors/{busiest_actor}/coverage/",
        "/__raw__/actor-coverage-page?slug={busiest_actor}",
        kind="html",
    ),
    Endpoint(
        "html event permalink",
        "/events/{middle_event}/",
        "/__raw__/event-page?id={middle_event}",
        kind="html",
    ),
    # Open data: the changes feed from deep in the deletions; the bulk dump's manifest and a
    # file of it, against reading the same file from disk.
    Endpoint(
        "api changes",
        "/api/v1/changes/?since={changes_since}",
        "/__raw__/changes?since={changes_since}",
    ),
    Endpoint("api dumps", "/api/v1/dumps/", "/__raw__/dump-file?name=manifest.json"),
    Endpoint("api dump file", "/api/v1/dumps/topics.csv", "/__raw__/dump-file?name=topics.csv"),
]
