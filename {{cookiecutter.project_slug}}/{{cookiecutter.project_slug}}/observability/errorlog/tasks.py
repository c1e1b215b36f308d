"""Periodic purge of the error log (scheduled in config/settings/features/celery.py)."""

from celery import shared_task
from django.conf import settings

from .retention import purge_old_errors


# "maintenance." routes it to the maintenance queue (see the Celery settings).
@shared_task(name="maintenance.purge_error_log", ignore_result=True)
def purge_error_log():
    return purge_old_errors(settings.ERROR_LOG_RETENTION_DAYS)
