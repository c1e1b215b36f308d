import logging
import sys
from datetime import timedelta

import psycopg
import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ...fingerprint import record_fingerprint
from ..models import LoggedError
from ..recorder import record_request_exception

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("{{ cookiecutter.project_slug }}.observability.errorlog.tests.urls"),
]


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def test_an_error_in_a_view_creates_one_row(client):
    response = client.get("/fail/1/", headers={"X-Request-ID": "req-00000042"})

    assert response.status_code == 500
    [error] = LoggedError.objects.all()
    assert error.exception_class.endswith("PaymentFailedError")
    assert error.message == "order 1 could not be charged"
    assert "failing_view" in error.traceback
    assert (error.method, error.path, error.view) == ("GET", "/fail/1/", "fail")
    assert error.request_id == "req-00000042"
    assert error.count == 1
    assert not error.resolved


def test_the_row_and_the_error_mail_agree_about_what_the_same_error_is(rf):
    try:
        raise RuntimeError("order 7 could not be charged")
    except RuntimeError:
        exc_info = sys.exc_info()
        record_request_exception(sender=None, request=rf.get("/api/items/"))
    mailed = logging.LogRecord("django.request", logging.ERROR, "x", 1, "%s", ("x",), exc_info)

    [error] = LoggedError.objects.all()
    assert error.fingerprint == record_fingerprint(mailed)


def test_the_row_names_the_client_not_our_proxy_nor_what_the_client_claimed(client):
    client.get("/fail/1/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5")
    behind_our_proxy = LoggedError.objects.get().client_ip
    client.get("/fail/1/", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="10.9.9.9")
    direct = LoggedError.objects.get().client_ip

    assert (behind_our_proxy, direct) == ("203.0.113.5", "198.51.100.4")


def test_the_same_error_again_bumps_the_counter(client, user):
    client.get("/fail/1/")
    client.force_login(user)
    for order in range(2, 12):
        client.get(f"/fail/{order}/")

    [error] = LoggedError.objects.all()
    assert error.count == 11
    assert error.path == "/fail/11/"  # the latest occurrence
    assert error.username == user.get_username()


def test_a_different_error_is_a_different_row(client):
    client.get("/fail/1/")
    client.get("/fail-differently/")

    assert LoggedError.objects.count() == 2


def test_a_resolved_error_that_comes_back_is_reopened(client):
    client.get("/fail/1/")
    LoggedError.objects.update(resolved=True, resolved_at=timezone.now())

    client.get("/fail/1/")

    error = LoggedError.objects.get()
    assert (error.resolved, error.resolved_at, error.count) == (False, None, 2)


def test_the_500_still_goes_out_when_the_log_table_is_unavailable(client, caplog):
    table = LoggedError._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
    caplog.set_level(logging.ERROR)

    response = client.get("/fail/1/")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert any("could not record" in r.getMessage() for r in caplog.records)


def test_errors_not_seen_within_the_retention_period_are_purged(client):
    client.get("/fail/1/")
    client.get("/fail-differently/")
    old = LoggedError.objects.filter(path="/fail/1/")
    old.update(last_seen=timezone.now() - timedelta(days=91))

    call_command("purge_error_log", days=90)

    assert list(LoggedError.objects.values_list("path", flat=True)) == ["/fail-differently/"]


def test_the_admin_lists_errors_read_only_and_resolves_them(client, make_user):
    admin = make_user("admin", is_staff=True, is_superuser=True)
    client.get("/fail/1/")
    error = LoggedError.objects.get()
    client.force_login(admin)
    base = reverse("admin:errorlog_loggederror_changelist")

    listing = client.get(base, {"resolved__exact": "0", "q": "charged"})
    assert listing.status_code == 200
    assert "PaymentFailedError" in listing.text
    assert client.get(f"{base}add/").status_code == 403
    assert client.get(f"{base}{error.pk}/change/").status_code == 200  # a read-only view

    client.post(base, {"action": "mark_resolved", "_selected_action": [error.pk]})

    error.refresh_from_db()
    assert error.resolved
    assert error.resolved_at is not None


def test_an_unreachable_database_is_not_even_tried(rf, django_assert_num_queries):
    error = OperationalError("connection refused")
    error.__cause__ = psycopg.OperationalError("connection refused")  # as Django raises it

    with django_assert_num_queries(0):
        try:
            raise error
        except OperationalError:
            record_request_exception(sender=None, request=rf.get("/api/items/"))

    assert not LoggedError.objects.exists()
