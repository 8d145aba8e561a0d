"""The nightly dump: beat's schedule names the task, and the task writes into DUMP_DIR."""

import fcntl

from django.conf import settings

from apps.opendata import services, tasks


def test_beat_runs_the_dump_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["export-dump"]
    assert entry["task"] == "apps.opendata.tasks.export_dump"
    assert entry["schedule"].hour == {3}


def test_the_task_publishes_a_dump_into_dump_dir(record, dump_dir):
    rows = tasks.export_dump.delay().get()

    manifest = services.read_manifest(services.dump_path(dump_dir))
    assert rows == sum(resource["rows"] for resource in manifest["resources"].values()) > 0


def test_the_task_gives_way_to_an_export_already_running(record, dump_dir):
    dump_dir.mkdir(parents=True)
    with (dump_dir / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        assert tasks.export_dump.delay().get() == 0
    assert services.dump_path(dump_dir) is None
