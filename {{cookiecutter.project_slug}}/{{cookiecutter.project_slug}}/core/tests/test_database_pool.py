import collections
import importlib.metadata
import socket
import threading

import psycopg
import pytest
from psycopg_pool import ConnectionPool, PoolClosed
from psycopg_pool.pool import WaitingClient

from .. import database_outage, database_pool


@pytest.fixture(autouse=True)
def no_outage():
    database_outage.database_recovered()
    yield
    database_outage.database_recovered()


@pytest.fixture
def refusing_conninfo():
    """The address of a server that is not running: every connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"host=127.0.0.1 port={port} connect_timeout=2"


def broken_check(conn):
    raise psycopg.OperationalError("server closed the connection unexpectedly")


def outage_aware_check(pool):
    """Run the check make_outage_aware installed, as the pool does before handing out."""
    check = pool._check
    assert check is not None, "make_outage_aware installs a check on every pool"
    check(None)


def test_the_private_names_used_are_where_the_pinned_psycopg_pool_keeps_them(refusing_conninfo):
    installed = importlib.metadata.version("psycopg-pool")
    assert installed == database_pool.PINNED_PSYCOPG_POOL, (
        f"psycopg-pool {installed} is installed; core/database_pool.py uses private names of "
        f"{database_pool.PINNED_PSYCOPG_POOL}: check them, then update PINNED_PSYCOPG_POOL"
    )
    pool = ConnectionPool(refusing_conninfo, open=False, check=broken_check)
    assert pool._check is broken_check
    assert isinstance(pool._waiting, collections.deque)
    with pool._lock:
        pass
    assert callable(WaitingClient.fail)


def test_releasing_the_waiting_requests_fails_a_queued_getconn_at_once(refusing_conninfo):
    pool = ConnectionPool(refusing_conninfo, min_size=0, max_size=1, timeout=120, open=False)
    pool.open(wait=False)
    errors = []

    def wait_for_a_connection():
        try:
            pool.getconn()
        except psycopg.OperationalError as error:
            errors.append(error)

    waiter = threading.Thread(target=wait_for_a_connection)
    try:
        waiter.start()
        while pool.get_stats().get("requests_waiting", 0) == 0 and waiter.is_alive():
            waiter.join(0.01)
        database_pool.release_waiting_requests(pool)
        waiter.join(30)
    finally:
        pool.close(timeout=1)
    # Not the pool's own timeout (a PoolTimeout after 120 s): released when asked.
    assert [type(error) for error in errors] == [database_pool.DatabaseUnreachable], errors


def test_while_the_database_is_known_down_getconn_refuses_without_queueing(refusing_conninfo):
    pool = ConnectionPool(refusing_conninfo, min_size=0, max_size=1, open=False)
    database_pool.make_outage_aware(pool)
    database_outage.note_database_unreachable()

    with pytest.raises(database_pool.DatabaseUnreachable):
        pool.getconn()
    assert pool.get_stats().get("requests_num", 0) == 0


@pytest.mark.django_db
def test_after_the_wait_getconn_checks_again_and_ends_the_outage(refusing_conninfo, settings):
    """A process serving no requests (a task worker) recovers through the pool itself."""
    settings.DATABASE_OUTAGE_RETRY_SECONDS = 0
    pool = ConnectionPool(refusing_conninfo, open=False)
    database_pool.make_outage_aware(pool)
    database_outage.note_database_unreachable()

    with pytest.raises(PoolClosed):  # the pool's own getconn() ran: no refusal
        pool.getconn()
    assert not database_outage.database_known_down()


@pytest.mark.django_db
def test_a_broken_connection_is_replaced_while_the_database_answers(refusing_conninfo):
    """After a restart: the check fails as usual, so the pool replaces the connection."""
    pool = ConnectionPool(refusing_conninfo, open=False, check=broken_check)
    database_pool.make_outage_aware(pool)

    with pytest.raises(psycopg.OperationalError):
        outage_aware_check(pool)
    assert not database_outage.database_known_down()


def test_a_broken_connection_is_handed_out_while_the_database_is_known_down(refusing_conninfo):
    """Its first query fails at once: no backoff sleep in getconn() while the server is down."""
    pool = ConnectionPool(refusing_conninfo, open=False, check=broken_check)
    database_pool.make_outage_aware(pool)
    database_outage.note_database_unreachable()

    outage_aware_check(pool)  # no error: the connection goes to the request


def test_wrapping_a_pool_twice_wraps_it_once(refusing_conninfo):
    pool = ConnectionPool(refusing_conninfo, open=False, check=broken_check)
    database_pool.make_outage_aware(pool)
    check, getconn = pool._check, pool.getconn

    database_pool.make_outage_aware(pool)

    assert (pool._check, pool.getconn) == (check, getconn)
