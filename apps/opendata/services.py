"""Writing and loading the bulk dump of the public record.

A dump is a directory: one JSON Lines and one CSV file per resource (apps/opendata/resources.py)
and manifest.json with each file's rows, bytes and SHA-256. `export_dump` writes it into a
temporary directory beside the published ones and then swaps the `current` symlink to it in one
rename, so a reader of `current` sees the previous dump or the new one, never half of one.
"""

import contextlib
import csv
import datetime
import fcntl
import hashlib
import itertools
import json
import logging
import secrets
import shutil
from pathlib import Path

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from apps.tracker.exports import neutralise
from apps.tracker.services import refresh_derived
from policytracker import response_cache

from .resources import RESOURCES

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CURRENT = "current"
PREFIX = "dump-"
TEMPORARY_PREFIX = ".tmp-"
# Dumps kept besides the current one: a download that began before a swap finishes either way
# (an open file outlives its name), and one previous dump is there to compare against.
KEEP_PREVIOUS = 1
CHUNK = 2000
LOAD_BATCH = 1000


class DumpError(Exception):
    """A dump that cannot be written or loaded, with a sentence saying why."""


class DumpInProgress(DumpError):
    pass


def _json_value(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_line(row: dict) -> str:
    return json.dumps(row, default=_json_value, ensure_ascii=False, separators=(",", ":")) + "\n"


def csv_cell(value) -> str:
    """A cell as a spreadsheet should show it, neutralised against formula injection."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, list):
        value = "; ".join(str(item) for item in value)
    return neutralise(value)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def _exclusive(directory: Path):
    """One export at a time per directory (a late beat tick, a redelivered task, a manual run)."""
    with (directory / ".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DumpInProgress(f"Another export into {directory} is running.") from None
        yield


def _write_resource(resource, directory: Path) -> dict:
    jsonl_path = directory / f"{resource.name}.jsonl"
    csv_path = directory / f"{resource.name}.csv"
    count = 0
    with (
        jsonl_path.open("w", encoding="utf-8", newline="") as jsonl,
        csv_path.open("w", encoding="utf-8", newline="") as csv_file,
    ):
        writer = csv.writer(csv_file)
        writer.writerow(resource.columns)
        for row in resource.rows(chunk_size=CHUNK):
            jsonl.write(json_line(row))
            writer.writerow([csv_cell(value) for value in row.values()])
            count += 1
    return {
        "rows": count,
        "columns": list(resource.columns),
        "files": [_file_entry(path, resource.name) for path in (jsonl_path, csv_path)],
    }


def _file_entry(path: Path, resource: str) -> dict:
    return {
        "name": path.name,
        "resource": resource,
        "format": path.suffix.lstrip("."),
        "bytes": path.stat().st_size,
        "sha256": _sha256(path),
    }


def _publish(directory: Path, written: Path) -> Path:
    """Rename the finished dump into place and point `current` at it in one atomic rename."""
    final = directory / (PREFIX + written.name.removeprefix(TEMPORARY_PREFIX))
    written.rename(final)
    link = directory / f".{CURRENT}-{secrets.token_hex(4)}"
    link.symlink_to(final.name)
    link.replace(directory / CURRENT)
    return final


def _prune(directory: Path, current: Path) -> None:
    """Remove old dumps and what a crashed export left behind (only under the export lock)."""
    for leftover in directory.glob(TEMPORARY_PREFIX + "*"):
        shutil.rmtree(leftover, ignore_errors=True)
    older = sorted(p for p in directory.glob(PREFIX + "*") if p.name != current.name)
    for old in older[: max(len(older) - KEEP_PREVIOUS, 0)]:
        shutil.rmtree(old, ignore_errors=True)


def export_dump(*, directory: Path | str) -> dict:
    """Write the whole public record into `directory`/current; return its manifest.

    Raises DumpInProgress when another export into the same directory is running."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with _exclusive(directory):
        stamp = timezone.now()
        name = stamp.strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)
        work = directory / (TEMPORARY_PREFIX + name)
        work.mkdir()
        try:
            resources = {}
            outermost = not connection.in_atomic_block
            with transaction.atomic():
                if outermost and connection.vendor == "postgresql":
                    # First statement of a new transaction: one snapshot for every file, so the
                    # ids in one file name rows of the others while curators keep writing.
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                for resource in RESOURCES:
                    resources[resource.name] = _write_resource(resource, work)
            manifest = {
                "format_version": FORMAT_VERSION,
                "created_at": stamp.isoformat(),
                "resources": {
                    name: {"rows": entry["rows"], "columns": entry["columns"]}
                    for name, entry in resources.items()
                },
                "files": [file for entry in resources.values() for file in entry["files"]],
            }
            (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
            final = _publish(directory, work)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        _prune(directory, final)
    # A new dump changes /api/v1/dumps/, which the shared response cache may hold.
    _drop_cached_answers()
    logger.info("export_dump: %s, %d rows", final, sum(r["rows"] for r in resources.values()))
    return manifest


def _drop_cached_answers() -> None:
    # Only where the cache is on: with it off (tests, the embedded mode) the version key in a
    # shared Redis may belong to other processes that have it on.
    if response_cache.enabled():
        response_cache.replace_record_version()


# --- Reading a published dump ----------------------------------------------------------------


def dump_path(directory: Path | str) -> Path | None:
    """The dump directory under `directory`: itself when it holds a manifest, else `current`."""
    directory = Path(directory)
    for candidate in (directory, directory / CURRENT):
        if (candidate / MANIFEST).is_file():
            return candidate.resolve()
    return None


def read_manifest(path: Path) -> dict:
    return json.loads((path / MANIFEST).read_text(encoding="utf-8"))


# --- Loading -----------------------------------------------------------------------------------


@contextlib.contextmanager
def _stored_timestamps():
    """Keep the dump's created_at and updated_at: auto_now and auto_now_add would stamp every
    loaded row with the time of the load. The flags are switched on the model fields, process
    wide, for the load command's one transaction; no request runs in that process."""
    switched = []
    for resource in RESOURCES:
        for model_field in resource.model._meta.concrete_fields:
            for flag in ("auto_now", "auto_now_add"):
                if getattr(model_field, flag, False):
                    setattr(model_field, flag, False)
                    switched.append((model_field, flag))
    try:
        yield
    finally:
        for model_field, flag in switched:
            setattr(model_field, flag, True)


def _check_files(path: Path, manifest: dict) -> None:
    if manifest.get("format_version") != FORMAT_VERSION:
        raise DumpError(f"Unknown dump format {manifest.get('format_version')!r}.")
    for entry in manifest["files"]:
        file = path / entry["name"]
        if not file.is_file():
            raise DumpError(f"{entry['name']} is missing from the dump.")
        if _sha256(file) != entry["sha256"]:
            raise DumpError(f"{entry['name']} does not match its checksum in the manifest.")


def _check_empty() -> None:
    counts = {r.name: r.model._default_manager.count() for r in RESOURCES}
    held = {name: count for name, count in counts.items() if count}
    if held:
        found = ", ".join(f"{count} {name}" for name, count in held.items())
        raise DumpError(f"The database is not empty ({found}): load a dump into an empty one.")


def _instances(resource, lines):
    fields = {c: resource.model._meta.get_field(c) for c in resource.columns}
    for line in lines:
        row = json.loads(line)
        yield resource.model(**{c: fields[c].to_python(row[c]) for c in resource.columns})


def load_dump(*, directory: Path | str) -> dict[str, int]:
    """Load a dump (a directory written by `export_dump`) into an empty database; return the
    rows loaded per resource. The files are checked against the manifest first, the load is one
    transaction, and derived fields are recomputed afterwards."""
    path = dump_path(directory)
    if path is None:
        raise DumpError(f"No {MANIFEST} in {directory} nor in {Path(directory) / CURRENT}.")
    manifest = read_manifest(path)
    _check_files(path, manifest)
    loaded = {}
    with transaction.atomic(), _stored_timestamps():
        _check_empty()
        for resource in RESOURCES:
            count = 0
            with (path / f"{resource.name}.jsonl").open(encoding="utf-8") as lines:
                instances = _instances(resource, lines)
                while batch := list(itertools.islice(instances, LOAD_BATCH)):
                    resource.model._default_manager.bulk_create(batch)
                    count += len(batch)
            expected = manifest["resources"][resource.name]["rows"]
            if count != expected:
                raise DumpError(f"{resource.name}: {count} rows, the manifest says {expected}.")
            loaded[resource.name] = count
        # Rows came with their ids: the next id a sequence hands out must be beyond them.
        models = [resource.model for resource in RESOURCES]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
    refresh_derived()
    # The load bypassed save(): every cached public answer predates it.
    _drop_cached_answers()
    return loaded
