"""The Celery application: ``celery -A config worker`` and ``celery -A config beat``.

Configuration comes from Django settings (the ``CELERY_*`` names in
config/settings/features/celery.py); tasks are found in every app's ``tasks.py``.
"""

import os
from importlib import import_module

import sentry_sdk  # feature: sentry
from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The id of the request that queued a task travels in the task's message headers, so the
# task's log lines (and its error reports) carry the same id as the request's.
REQUEST_ID_HEADER = "request_id"
_logging = import_module("{{ cookiecutter.project_slug }}.core.logging")
request_id_var = _logging.request_id_var
NO_REQUEST = _logging.NO_REQUEST
_request_id_tokens = {}


@signals.before_task_publish.connect
def stamp_request_id(headers=None, **kwargs):
    """Runs in the process sending the task (a web worker, beat, another task)."""
    request_id = request_id_var.get()
    if headers is not None and request_id != NO_REQUEST:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


def request_id_of(task):
    """The id a task's message carries (custom headers; ``apply(headers=...)`` in eager mode)."""
    request = task.request
    return getattr(request, REQUEST_ID_HEADER, None) or (request.headers or {}).get(
        REQUEST_ID_HEADER
    )


@signals.task_prerun.connect
def adopt_request_id(task_id=None, task=None, **kwargs):
    request_id = request_id_of(task)
    if request_id:
        _request_id_tokens[task_id] = request_id_var.set(request_id)
        sentry_sdk.set_tag("request_id", request_id)  # feature: sentry


@signals.task_postrun.connect
def forget_request_id(task_id=None, **kwargs):
    token = _request_id_tokens.pop(task_id, None)
    if token is not None:
        request_id_var.reset(token)


def check_broker():
    """Health check: the broker accepts a connection within a couple of seconds."""
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=2)
