"""Names found word by word: a vocabulary of the words in names (NameWord) with a trigram index,
and an index of each document's name words, replacing the trigram index over whole names (see
PostgresBackend.names). Nothing on SQLite but the empty table."""

from django.db import migrations, models

TABLE = "search_searchdocument"
NAME_WORDS_INDEX = (
    f"CREATE INDEX searchdocument_name_words ON {TABLE} "
    "USING gin (to_tsvector('simple', names)) WHERE names <> ''"
)


def words_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The words first, then the index: rows inserted into a GIN index wait in its pending
    # list, which every scan reads in full until a vacuum merges it.
    schema_editor.execute(
        "INSERT INTO search_nameword (word) "
        f"SELECT DISTINCT lexeme FROM {TABLE}, unnest(to_tsvector('simple', names)) "
        "WHERE names <> '' ON CONFLICT DO NOTHING"
    )
    schema_editor.execute(
        "CREATE INDEX search_nameword_trgm ON search_nameword USING gin (word gin_trgm_ops)"
    )
    schema_editor.execute("ANALYZE search_nameword")
    schema_editor.execute(NAME_WORDS_INDEX)
    schema_editor.execute("DROP INDEX IF EXISTS searchdocument_names_trgm")


def whole_names_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX searchdocument_names_trgm ON {TABLE} "
        "USING gin (names gin_trgm_ops) WHERE names <> ''"
    )
    schema_editor.execute("DROP INDEX IF EXISTS searchdocument_name_words")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_date_in_vector_indexes")]

    operations = [
        migrations.CreateModel(
            name="NameWord",
            fields=[("word", models.TextField(primary_key=True, serialize=False))],
        ),
        migrations.RunPython(words_index, whole_names_index),
    ]
