"""Each kind's GIN index on the vector also carries the date (btree_gin), so the newest matches
of a common word are found one date window at a time, newest first, and only the rows of the
windows read are fetched (backends.PostgresBackend._windowed_sql). A search by words alone
uses the same index as before. Nothing on SQLite."""

from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations

KINDS = ("agreement", "actor", "challenge", "event", "statement", "article")
TABLE = "search_searchdocument"


def _rebuild(schema_editor, columns: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for kind in KINDS:
        schema_editor.execute(f"DROP INDEX IF EXISTS searchdocument_{kind}_vector")
        schema_editor.execute(
            f"CREATE INDEX searchdocument_{kind}_vector ON {TABLE} "
            f"USING gin ({columns}) WHERE kind = '{kind}'"
        )


def date_and_vector(apps, schema_editor):
    _rebuild(schema_editor, "date, vector")
    if schema_editor.connection.vendor == "postgresql":
        # The last window, the undated documents: a GIN index cannot look for a NULL date.
        schema_editor.execute(
            f"CREATE INDEX searchdocument_undated_vector ON {TABLE} "
            "USING gin (vector) WHERE date IS NULL"
        )


def vector_only(apps, schema_editor):
    _rebuild(schema_editor, "vector")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS searchdocument_undated_vector")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_search_indexes")]

    operations = [
        BtreeGinExtension(),
        migrations.RunPython(date_and_vector, vector_only),
    ]
