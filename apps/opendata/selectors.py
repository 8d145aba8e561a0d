"""Reads of the open data: the published dump and its files, deletions for the changes feed."""

import re
from pathlib import Path

from django.conf import settings

from .models import Deletion
from .services import MANIFEST, dump_path, read_manifest

# A file name of a dump: a resource and a format, nothing that could leave the directory.
FILE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,63}\.(?:jsonl|csv|json)\Z")


def published_dump() -> tuple[Path, dict] | None:
    """The current dump under settings.DUMP_DIR and its manifest, or None before the first."""
    path = dump_path(Path(settings.DUMP_DIR))
    if path is None:
        return None
    return path, read_manifest(path)


def published_file(name: str) -> tuple[Path, dict] | None:
    """A file of the current dump, by a name its manifest lists (or the manifest itself), and
    the manifest's entry for it; None for any other name."""
    if not FILE_NAME.match(name):
        return None
    dump = published_dump()
    if dump is None:
        return None
    path, manifest = dump
    if name == MANIFEST:
        return path / MANIFEST, {"name": MANIFEST, "format": "json"}
    entry = next((file for file in manifest["files"] if file["name"] == name), None)
    if entry is None or not (path / name).is_file():
        return None
    return path / name, entry


def deletions():
    """Tombstones as the changes feed lists them; the filterset and the keyset paginator
    narrow and order them along the deletion_since index."""
    return Deletion.objects.all()
