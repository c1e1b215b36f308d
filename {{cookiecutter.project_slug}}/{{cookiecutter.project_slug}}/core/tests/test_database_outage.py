import sqlite3

import psycopg
import pytest
from django.db import OperationalError

from .. import database_outage

ITEMS = "/api/v1/items/"  # feature: url_path_versioning
ITEMS = "/api/items/"  # feature: not url_path_versioning


def django_error(cause):
    """A database error as Django raises it: its own class, the driver's error as cause."""
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


@pytest.fixture(autouse=True)
def no_outage():
    database_outage.database_recovered()
    yield
    database_outage.database_recovered()


@pytest.mark.parametrize(
    ("cause", "unreachable"),
    [
        (psycopg.OperationalError("connection refused"), True),  # client side: no SQLSTATE
        (psycopg.errors.AdminShutdown("terminating connection"), True),
        (psycopg.errors.ConnectionFailure("connection failure"), True),
        (psycopg.errors.QueryCanceled("statement timeout"), False),
        (psycopg.errors.DeadlockDetected("deadlock"), False),
        (sqlite3.OperationalError("database is locked"), False),
    ],
)
def test_only_errors_reaching_the_server_count_as_an_outage(cause, unreachable):
    assert database_outage.is_database_unreachable(django_error(cause)) is unreachable


def test_other_exceptions_are_no_outage():
    assert not database_outage.is_database_unreachable(ValueError("no"))


@pytest.mark.django_db
def test_while_known_down_requests_get_a_503_at_once_but_probes_answer(client, settings):
    settings.DATABASE_OUTAGE_RETRY_SECONDS = 60
    database_outage.note_database_unreachable()

    response = client.get(ITEMS)

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response.json()["error"]["code"] == "database_unavailable"
    assert client.get("/api/health/live/").status_code == 200
    assert client.get("/api/health/").status_code == 200  # it checks for itself


@pytest.mark.django_db
def test_once_the_wait_is_over_a_working_database_ends_the_outage(client, settings):
    settings.DATABASE_OUTAGE_RETRY_SECONDS = 0  # the next request checks the database
    database_outage.note_database_unreachable()

    response = client.get(ITEMS)

    assert response.status_code == 200
    assert not database_outage.database_known_down()


@pytest.mark.django_db
def test_a_failure_while_the_database_answers_is_no_outage():
    # A pool timeout from an exhausted pool looks like this; the database itself is fine.
    try:
        raise django_error(psycopg.OperationalError("couldn't get a connection after 2.00 sec"))
    except OperationalError:
        database_outage.note_request_exception(sender=None)

    assert not database_outage.database_known_down()
