"""schemathesis over the published schema, in process (WSGI), on the demo data: every
operation, reads and curators' writes with a token, every check. Any server error or response
that contradicts the schema fails the test.

Runs with the suite (`make test`; `-m "not slow"` leaves it out locally). A fixed number of
examples per operation and derandomized generation keep it about a minute and never flaky;
SCHEMATHESIS_EXAMPLES=100 for a longer run:
.venv/bin/python -m pytest tests/test_api_schemathesis.py -n 0
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import positive_data_acceptance

from apps.tracker.demo import load_demo_data
from policytracker.wsgi import application
from tests.factories import CuratorFactory

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "20"))


@pytest.fixture
def curator_token(db):
    load_demo_data()
    return Token.objects.create(user=CuratorFactory(username="schemathesis")).key


@pytest.fixture(autouse=True)
def connection_kept_across_requests():
    """The real WSGI handler closes the database connection when a request ends, which on
    PostgreSQL ends the test's transaction (the demo data with it) and cuts a streamed CSV off
    mid-export. Django's test client disconnects the same signal handlers; so does this."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def body_fields(operation) -> set[str]:
    """The property names of an operation's request body, in any of its media types."""
    fields = set()
    for alternative in operation.body:
        definition = alternative.definition.get("schema", {})
        ref = definition.get("$ref", "")
        if ref.startswith("#/x-bundled/"):
            definition = definition["x-bundled"][ref.rsplit("/", 1)[1]]
        fields |= set(definition.get("properties", {}))
    return fields


# Codes of a value naming a record that does not exist (a slug in a filter or a body), and of
# a rule across two parameters (a search's date range that ends before it starts).
BEYOND_THE_SCHEMA_CODES = {"invalid_choice", "does_not_exist", "invalid_range"}
# Parameters whose valid values no schema can list: a cursor is a token from a previous
# response; a search query (q, search) is a small language: punctuation alone, or only
# exclusions, is a 400.
OPAQUE_PARAMETERS = {"cursor", "q", "search"}


def refused_for_what_no_schema_says(error: dict, fields: set[str]) -> bool:
    attr = error.get("attr")
    if not isinstance(attr, str):
        return False
    return (
        error.get("code") in BEYOND_THE_SCHEMA_CODES
        or attr in OPAQUE_PARAMETERS
        or attr.split(".")[0] in fields
    )


@schemathesis.check
def refusals_name_what_no_schema_says(ctx, response, case):
    """positive_data_acceptance, knowing what an OpenAPI schema cannot express.

    Slugs and ids name records, and no schema says which exist; a write's body must keep the
    model's rules (an event belongs to an agreement or to a case; one position per actor and
    agreement) and, for a webhook, name a URL that resolves to a public address; a cursor comes
    from a previous response; a search query is a small language. So a schema-valid request may
    rightly be a 400 — but only one whose every error names a missing record, a date range that
    ends before it starts, a cursor or query, or a field of the body. Any other 400 to a
    schema-valid request fails, as in the built-in check, and so does any other status the
    built-in check refuses.
    """
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if response.status_code == 400:
        fields = body_fields(case.operation) | {"non_field_errors"}
        errors = response.json().get("errors", [])
        if errors and all(refused_for_what_no_schema_says(error, fields) for error in errors):
            return None
    return positive_data_acceptance(ctx, response, case)


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, curator_token):
    case.call_and_validate(
        headers={"Authorization": f"Token {curator_token}"},
        excluded_checks=[positive_data_acceptance],
    )
