"""A GIN index over a fixed one-in-a-hundred sample of the search documents (by id), so a search
can estimate in well under a millisecond how many documents of each kind its query matches, and
so pick how to read each kind (PostgresBackend.kinds_with_many_matches). It replaces a
TABLESAMPLE of the documents' pages, which cost 5-9 ms a search at a million articles:
matching every sampled row read its whole vector. Nothing on SQLite."""

from django.db import migrations

TABLE = "search_searchdocument"
# The modulus is also backends.SAMPLE_MODULUS: the estimate's condition must be the index's.
SAMPLE_INDEX = (
    f"CREATE INDEX searchdocument_sample_vector ON {TABLE} USING gin (vector) "
    "WHERE mod(id, 100) = 0"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SAMPLE_INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS searchdocument_sample_vector")


class Migration(migrations.Migration):
    dependencies = [("search", "0004_name_words")]

    operations = [migrations.RunPython(create, drop)]
