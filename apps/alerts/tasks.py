"""Celery tasks of the alerts app: one thin task that runs the sweep."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def send_alerts() -> dict:
    """Beat's every-minute sweep. Safe to run twice or concurrently: rows are locked and keyed."""
    result = services.send_alerts()
    logger.info("alerts sweep: %s", result)
    return result
