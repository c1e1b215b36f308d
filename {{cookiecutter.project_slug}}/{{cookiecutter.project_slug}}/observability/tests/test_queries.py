import logging

import pytest
from django.db import connection

from ..queries import record_query

# A view that queries the database in the request's own thread (the health checks run in
# threads of their own).
ITEMS = "/api/v1/items/"  # feature: url_path_versioning
ITEMS = "/api/items/"  # feature: not url_path_versioning


@pytest.fixture
def request_log(caplog):
    caplog.set_level(logging.DEBUG, logger="{{ cookiecutter.project_slug }}.request")
    return caplog


@pytest.mark.django_db
def test_the_request_log_counts_the_queries_and_their_time(client, request_log):
    client.get(ITEMS)

    [record] = [r for r in request_log.records if r.name.endswith(".request")]
    assert record.db_queries >= 1
    assert record.db_time_ms >= 0


@pytest.mark.django_db
def test_slow_queries_are_logged_with_their_duration_and_view(client, settings, caplog):
    settings.SLOW_QUERY_MS = 0  # every query is "slow"
    caplog.set_level(logging.WARNING, logger="{{ cookiecutter.project_slug }}.slow_query")

    client.get(ITEMS)

    slow = [r for r in caplog.records if r.name.endswith(".slow_query")]
    assert slow
    assert all(r.view == "item-list" and r.duration_ms >= 0 for r in slow)
    assert "SELECT" in slow[0].sql


@pytest.mark.django_db
def test_fast_queries_are_not_logged(client, settings, caplog):
    settings.SLOW_QUERY_MS = 60_000
    caplog.set_level(logging.WARNING, logger="{{ cookiecutter.project_slug }}.slow_query")

    client.get(ITEMS)

    assert not [r for r in caplog.records if r.name.endswith(".slow_query")]


@pytest.mark.django_db
def test_every_connection_is_monitored_once():
    connection.ensure_connection()

    assert connection.execute_wrappers.count(record_query) == 1
