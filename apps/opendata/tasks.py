"""Celery tasks of the open data: thin, idempotent; the work is in `services.py`."""

import logging

from celery import shared_task
from django.conf import settings

from . import services

logger = logging.getLogger(__name__)


# A dump of the large record takes minutes, beyond the project's 5-minute default; the limit
# stays under the broker's visibility timeout (an hour), after which a second worker would be
# handed the same message (it would find the export lock taken and stop).
@shared_task(time_limit=50 * 60, soft_time_limit=45 * 60)
def export_dump() -> int:
    """Beat's nightly dump into settings.DUMP_DIR. Running it twice writes the same data twice;
    a run that finds another export going gives way to it."""
    try:
        manifest = services.export_dump(directory=settings.DUMP_DIR)
    except services.DumpInProgress:
        logger.info("export_dump: another export is running; nothing to do")
        return 0
    rows = sum(resource["rows"] for resource in manifest["resources"].values())
    logger.info("export_dump: %d rows into %s", rows, settings.DUMP_DIR)
    return rows
