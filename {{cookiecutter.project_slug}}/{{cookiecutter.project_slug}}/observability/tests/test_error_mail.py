"""Unhandled errors are e-mailed to ADMINS: once per kind of error, without secrets."""

import logging
import sys

import psycopg
import pytest
from django.core import mail
from django.db import OperationalError
from django.urls import path

from ..error_mail import RateLimitFilter
from ..fingerprint import record_fingerprint


def broken_view(request):
    raise RuntimeError("the payment gateway is down")


def other_broken_view(request):
    raise KeyError("missing")


urlpatterns = [path("broken/", broken_view), path("other/", other_broken_view)]
# The report names the signed-in user, and other features may record errors in the database.
pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


@pytest.fixture
def client(client):
    client.raise_request_exception = False
    return client


def test_an_unhandled_error_mails_admins_once_with_the_subject_prefix(client, settings):
    response = client.get("/broken/")

    assert response.status_code == 500
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject.startswith(settings.EMAIL_SUBJECT_PREFIX)
    assert "Internal Server Error: /broken/" in message.subject
    assert message.to == [address for _, address in settings.ADMINS]
    assert message.from_email == settings.SERVER_EMAIL
    assert "the payment gateway is down" in message.body


def test_a_burst_of_the_same_error_sends_one_mail(client):
    for _ in range(25):
        client.get("/broken/")

    assert len(mail.outbox) == 1


def test_different_errors_are_reported_separately(client):
    client.get("/broken/")
    client.get("/other/")
    client.get("/broken/")

    assert len(mail.outbox) == 2


def test_the_report_leaves_secrets_out(client, settings):
    settings.SECRET_KEY = "secret-key-that-must-not-leak-0123456789abcdefghijklmnopqrstuv"
    settings.EMAIL_HOST_PASSWORD = "smtp-password-that-must-not-leak"
    settings.PAYMENT_GATEWAY_URL = "https://shop:gateway-password-must-not-leak@pay.example.com/"
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": "redis://:cache-password-that-must-not-leak@cache:6379/0",
        }
    }

    client.post(
        "/broken/",
        {"username": "alice", "password": "form-password-that-must-not-leak"},
        headers={"Authorization": "Token api-token-that-must-not-leak"},
    )
    client.cookies["sessionid"] = "session-that-must-not-leak"
    client.get("/other/")

    bodies = "\n".join(f"{message.body}{message.subject}" for message in mail.outbox)
    assert len(mail.outbox) == 2
    assert "must-not-leak" not in bodies
    assert "********" in bodies


def test_the_rate_limit_caps_every_kind_of_error_together():
    limit = RateLimitFilter(interval=60, limit=3)
    records = [
        logging.LogRecord("app", logging.ERROR, f"file{n}.py", n, "error %s", (n,), None)
        for n in range(10)
    ]

    allowed = [limit.filter(record) for record in records]

    assert allowed.count(True) == 3


def test_the_rate_limit_still_works_when_the_cache_is_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    limit = RateLimitFilter(interval=60, limit=10)
    record = logging.LogRecord("app", logging.ERROR, "views.py", 7, "boom", (), None)

    assert limit.filter(record) is True
    assert limit.filter(record) is False


def refused_connection():
    raise OperationalError("connection refused") from psycopg.OperationalError("refused")


def released_pool_wait():
    raise OperationalError("no connection") from psycopg.OperationalError("unreachable")


def record_of(failure):
    """The log record of a request that met a stopped database inside ``failure``."""
    try:
        failure()
    except OperationalError:
        return logging.LogRecord(
            "django.request", logging.ERROR, "x", 1, "%s", ("x",), sys.exc_info()
        )


def test_every_way_of_meeting_a_database_outage_is_one_kind_of_error():
    refused, released = record_of(refused_connection), record_of(released_pool_wait)
    other = logging.LogRecord("django.request", logging.ERROR, "x", 1, "%s", ("x",), None)

    # Raised on different lines, yet one error: the database is down.
    assert record_fingerprint(refused) == record_fingerprint(released) != record_fingerprint(other)
