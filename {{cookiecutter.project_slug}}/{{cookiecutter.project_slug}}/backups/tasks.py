"""Scheduled backups (see CELERY_BEAT_SCHEDULE): daily backup, weekly restore-verification.

Both run on the ``maintenance`` queue with their own time limits, since a dump of a large
database takes longer than an ordinary task may. A failure raises: Celery marks the task
failed, error tracking (when on) reports it, and ADMINS get an e-mail.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.core.management import call_command

from config.celery import first_delivery_of_its_tick

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="maintenance.backup_database",
    soft_time_limit=settings.BACKUP_TIME_LIMIT,
    time_limit=settings.BACKUP_TIME_LIMIT + 60,
)
def backup_database(self):
    # One backup per schedule tick, however many beats sent it (the backup lock only
    # makes the copies wait for each other).
    if not first_delivery_of_its_tick(self):
        logger.info("backup tick already taken by another beat's message: skipped")
        return "skipped"
    call_command("dbbackup", clean=True, interactive=False)
    return "done"


@shared_task(
    bind=True,
    name="maintenance.verify_backup",
    soft_time_limit=settings.BACKUP_TIME_LIMIT,
    time_limit=settings.BACKUP_TIME_LIMIT + 60,
)
def verify_backup(self):
    if not first_delivery_of_its_tick(self):
        logger.info("verification tick already taken by another beat's message: skipped")
        return "skipped"
    # A fresh backup first: row counts are compared with the live database, so the backup
    # must be minutes old, not a day (run it at a quiet hour).
    call_command("dbbackup", clean=True, interactive=False)
    call_command("verifybackup")
