"""The Celery application: ``celery -A config worker`` and ``celery -A config beat``.

Configuration comes from Django settings (the ``CELERY_*`` names in
config/settings/features/celery.py); tasks are found in every app's ``tasks.py``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def check_broker():
    """Health check: the broker accepts a connection within a couple of seconds."""
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=2)
