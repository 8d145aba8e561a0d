"""The indexes search reads: on PostgreSQL a GIN index on the vector per kind and a trigram index
on names; on SQLite an FTS5 table, when this SQLite has FTS5. Each database skips the other's."""

from django.contrib.postgres.operations import CreateExtension, TrigramExtension
from django.db import OperationalError, migrations

KINDS = ("agreement", "actor", "challenge", "event", "statement", "article")
TABLE = "search_searchdocument"


def create_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # One partial index per kind: a search of the agreements never walks the posting lists
        # of a million articles, and each kind's query names its kind as a constant.
        for kind in KINDS:
            schema_editor.execute(
                f"CREATE INDEX searchdocument_{kind}_vector ON {TABLE} "
                f"USING gin (vector) WHERE kind = '{kind}'"
            )
        schema_editor.execute(
            f"CREATE INDEX searchdocument_names_trgm ON {TABLE} "
            "USING gin (names gin_trgm_ops) WHERE names <> ''"
        )
    elif vendor == "sqlite":
        try:
            schema_editor.execute(
                "CREATE VIRTUAL TABLE search_fts USING fts5("
                "a, b, c, d, tokenize = 'porter unicode61 remove_diacritics 2')"
            )
        except OperationalError:
            pass  # no FTS5 in this SQLite: search falls back to a plain match on titles


def drop_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for kind in KINDS:
            schema_editor.execute(f"DROP INDEX IF EXISTS searchdocument_{kind}_vector")
        schema_editor.execute("DROP INDEX IF EXISTS searchdocument_names_trgm")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_fts")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_documents")]

    operations = [
        TrigramExtension(),
        CreateExtension("fuzzystrmatch"),  # levenshtein, to order close names
        migrations.RunPython(create_indexes, drop_indexes),
    ]
