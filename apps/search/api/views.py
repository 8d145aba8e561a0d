"""GET /api/v1/search/: one search over the record and the news."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from apps.tracker.api.schema import QUERY_SLUG_PATTERN

from ..forms import SearchForm
from ..models import SearchDocument
from ..query import MAX_QUERY_LENGTH, QueryError
from ..selectors import CANDIDATES, MAX_PAGE, PER_GROUP, PER_PAGE, search
from .serializers import SearchResponseSerializer, search_response

# As the form reads them: a date, or empty for none; a slug, or empty for any.
DATE = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]}
SLUG = {"type": "string", "pattern": QUERY_SLUG_PATTERN}

DESCRIPTION = f"""
Full-text search over agreements, actors (names and aliases), legal challenges (caption,
docket), events, statements and articles.

**Syntax** (as in the search box): words are all required; `"a phrase"` in quotes; `OR`
between alternatives; `-word` or `-"a phrase"` excludes. Up to {MAX_QUERY_LENGTH} characters.
A query of only exclusions or only punctuation is a 400.

Without `type`, `results` holds the best {PER_GROUP} of each type, grouped in the order of
`counts`; with `type`, that type's results, {PER_PAGE} per page, up to page {MAX_PAGE}. Ranking
covers the {CANDIDATES:,} newest matches of each type, and `counts` stop there (`capped`).
`name_matches` lists actors, agreements and cases whose names are close to the query, so a
misspelt name ("Noam") still finds the record (Kristi Noem).
"""


@extend_schema(
    summary="Search the record and the news",
    description=DESCRIPTION,
    parameters=[
        OpenApiParameter("q", str, required=True, description="The search text."),
        OpenApiParameter(
            "type",
            str,
            enum=SearchDocument.Kind.values,
            description="Only this type of result, paginated.",
        ),
        OpenApiParameter("date_from", DATE, description="YYYY-MM-DD; results dated on or after."),
        OpenApiParameter("date_to", DATE, description="YYYY-MM-DD; results dated on or before."),
        OpenApiParameter("agreement", SLUG, description="Slug: results about this agreement."),
        OpenApiParameter("actor", SLUG, description="Slug: results involving this actor."),
        OpenApiParameter(
            "page",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            description=f"With type: 1 to {MAX_PAGE}.",
        ),
    ],
    # A bad parameter is a 400 in the API's one error shape, which the AutoSchema documents.
    responses=SearchResponseSerializer,
    filters=False,
)
@api_view(["GET"])
@permission_classes([AllowAny])
def search_api(request):
    unknown = sorted(set(request.query_params) - set(SearchForm.PARAMETERS) - {"format"})
    if unknown:
        message = f"Unknown parameter. This endpoint reads: {', '.join(SearchForm.PARAMETERS)}."
        raise ValidationError({name: [message] for name in unknown})
    form = SearchForm(request.query_params)
    if not form.is_valid():
        # Keep each error's code (an unknown slug is invalid_choice), as the FilterSets do.
        raise ValidationError(
            {
                name: [ErrorDetail(error["message"], code=error["code"]) for error in errors]
                for name, errors in form.errors.get_json_data().items()
            }
        )
    arguments = form.search_arguments()
    try:
        results = search(**arguments)
    except QueryError as error:
        raise ValidationError({"q": [str(error)]}) from error
    return Response(search_response(results, request))
