"""Search documents follow their sources: saves, renames, aliases, deletes, the rebuild."""

from django.core.management import call_command

from apps.news.models import Article
from apps.search.models import SearchDocument
from apps.search.selectors import search
from apps.search.services import rebuild_index
from tests.factories import (
    ActorFactory,
    AgreementFactory,
    AliasFactory,
    ArticleFactory,
    PositionFactory,
    StatementFactory,
)


def titles(query, kind):
    return [hit.title for hit in search(query=query, kind=kind).hits]


def test_a_saved_record_is_found_and_a_renamed_one_under_its_new_name(db):
    agreement = AgreementFactory(title="Census data agreement", slug="census")
    assert titles("census", "agreement") == ["Census data agreement"]
    agreement.title = "Voter roll agreement"
    agreement.save()
    assert titles("census", "agreement") == []
    assert titles("voter", "agreement") == ["Voter roll agreement"]


def test_an_alias_added_or_removed_changes_what_finds_its_record(db):
    agreement = AgreementFactory(title="Memorandum of understanding", slug="mou")
    alias = AliasFactory(agreement=agreement, actor=None, text="Taxpayer Pact")
    assert titles("pact", "agreement") == ["Memorandum of understanding"]
    alias.delete()
    assert titles("pact", "agreement") == []


def test_renaming_a_speaker_renames_their_statements(db):
    speaker = ActorFactory(name="Jane Doe", slug="jane-doe")
    StatementFactory(position=PositionFactory(actor=speaker), speaker=speaker, text="No comment.")
    speaker.name = "Jane Roe"
    speaker.save()
    assert titles("Roe", "statement") == ["Jane Roe: “No comment.”"]


def test_a_deleted_article_leaves_the_index(db):
    article = ArticleFactory(title="Quarterly tariffs explained")
    assert titles("tariffs", "article") == ["Quarterly tariffs explained"]
    article.delete()
    assert titles("tariffs", "article") == []
    assert not SearchDocument.objects.filter(kind="article", object_id=article.pk).exists()


def test_an_article_not_yet_fetched_is_not_indexed(db):
    article = ArticleFactory(title="Pending tariffs", fetch_status=Article.FetchStatus.PENDING)
    assert not SearchDocument.objects.filter(kind="article", object_id=article.pk).exists()


def test_rebuild_indexes_what_bulk_writes_skipped_and_drops_the_stale(db):
    article = ArticleFactory(title="Original headline")
    # A bulk write sends no signal: the index still has the old title.
    Article.objects.filter(pk=article.pk).update(title="Corrected headline")
    assert titles("corrected", "article") == []
    SearchDocument.objects.create(kind="actor", object_id=999_999, title="Ghost", url="/")
    written = rebuild_index()
    assert written["article"] == 1
    assert titles("corrected", "article") == ["Corrected headline"]
    assert not SearchDocument.objects.filter(object_id=999_999).exists()


def test_the_rebuild_command_reports_what_it_wrote(db, capsys):
    AgreementFactory(title="Rebuilt agreement", slug="rebuilt")
    call_command("rebuild_search_index", "--kind", "agreement")
    assert "agreement: 1 documents" in capsys.readouterr().out
