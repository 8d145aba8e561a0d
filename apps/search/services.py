"""Writes: keep each record's search document in step with its source, one batch at a time."""

import logging
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef

from .backends import backend
from .documents import BUILDERS, source_queryset
from .models import SearchDocument

logger = logging.getLogger(__name__)

KINDS = tuple(SearchDocument.Kind.values)


def index_records(*, kind: str, ids: Iterable[int]) -> int:
    """(Re)build the documents of these records; a record that is gone, or an article not
    fetched, loses its document. Returns how many documents were written."""
    ids = list(ids)
    if not ids:
        return 0
    engine = backend()
    with transaction.atomic():
        documents = list(BUILDERS[kind](ids))
        engine.write(documents)
        missing = set(ids) - {document.object_id for document in documents}
        if missing:
            engine.delete(kind=kind, object_ids=missing)
    return len(documents)


def remove_records(*, kind: str, ids: Iterable[int]) -> None:
    with transaction.atomic():
        backend().delete(kind=kind, object_ids=list(ids))


def rebuild_index(
    *,
    kinds: Iterable[str] = KINDS,
    batch_size: int = 500,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Index every record of these kinds, in batches of primary keys, and drop documents whose
    record is gone. For the bulk paths that send no signals (a seed, a restore, an import) and
    for a new index; safe to run again at any time. On PostgreSQL the documents are built inside
    the database (documents_sql.py), so a million articles' text never passes through Python."""
    engine = backend()
    written = {}
    for kind in kinds:
        sources = source_queryset(kind).order_by("pk").values_list("pk", flat=True)
        count, last = 0, 0
        while batch := list(sources.filter(pk__gt=last)[:batch_size]):
            with transaction.atomic():
                count += engine.rebuild(kind=kind, ids=batch)
            last = batch[-1]
            if progress:
                progress(kind, count)
        # NOT EXISTS, an anti-join: NOT IN over a subquery whose ids outgrow work_mem is
        # checked row by row against the whole list (minutes at 300,000 events).
        stale = SearchDocument.objects.filter(kind=kind).exclude(
            Exists(source_queryset(kind).filter(pk=OuterRef("object_id")))
        )
        stale_ids = list(stale.values_list("object_id", flat=True))
        if stale_ids:
            remove_records(kind=kind, ids=stale_ids)
        written[kind] = count
        logger.info("search index: %s %s documents, %s removed", count, kind, len(stale_ids))
    with transaction.atomic():
        engine.refresh_name_words()
    return written
