"""The open data endpoints in the OpenAPI schema: public, with their parameters and errors."""

import pytest
import yaml
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    return yaml.safe_load(client.get(reverse("api-schema")).content)


@pytest.mark.parametrize(
    ("path", "codes"),
    [
        ("/api/v1/dumps/", {"200", "400", "404"}),
        ("/api/v1/dumps/{filename}", {"200", "400", "404"}),
        ("/api/v1/changes/", {"200", "400"}),
    ],
)
def test_the_endpoints_are_public_and_document_their_answers(schema, path, codes):
    operation = schema["paths"][path]["get"]

    assert operation["security"] == [{}]
    assert codes <= set(operation["responses"])


def test_the_changes_feed_documents_since_as_required(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/changes/"]["get"]["parameters"]}

    assert parameters["since"]["required"] is True
    assert {"resource", "cursor", "page_size", "format"} <= set(parameters)
