"""Tasks of the core app. Maintenance tasks are named ``maintenance.*`` (their own queue)."""

import logging

from celery import shared_task
from django.core.management import call_command

logger = logging.getLogger(__name__)


@shared_task(name="core.ping")
def ping():
    """Answers "pong": proves end to end that a worker consumes the queue.

    Its log line carries the id of the request that queued it (config/celery.py).
    """
    logger.info("ping answered")
    return "pong"


@shared_task(name="maintenance.clear_expired_sessions")
def clear_expired_sessions():
    """Delete expired sessions (Django's ``clearsessions``) so the table does not grow forever."""
    call_command("clearsessions")
