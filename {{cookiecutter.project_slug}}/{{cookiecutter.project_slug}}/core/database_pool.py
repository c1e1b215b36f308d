"""The request pool fails at once while the database is known down (psycopg_pool 3.3.3).

When PostgreSQL goes away, psycopg_pool's getconn() finds its pooled connections broken
and keeps trying for the whole pool timeout, sleeping with backoff (1 s, 2 s...) between
broken connections; a request queued behind a busy pool waits for a reconnection that
cannot come. Every worker thread stuck there answers nothing, not even the liveness probe.

So, on the pool of each database connection:

- a pooled connection failing its check is confirmed with a direct connection (refused at
  once by a stopped server); if the database is down, the outage is noted for the whole
  process and the broken connection is handed out: its first query fails at once (a 503
  ``database_unavailable``), instead of a backoff sleep;
- getconn() refuses at once while the outage is known (checking again, as requests do,
  every DATABASE_OUTAGE_RETRY_SECONDS);
- noting the outage releases the requests already queued in the pool.

psycopg_pool has no public way to do this: every private name used is here
(``ConnectionPool._check``, ``._lock``, ``._waiting``, ``WaitingClient.fail``), pinned to
psycopg_pool 3.3.3; core/tests/test_database_pool.py fails loudly when one of them moves.
"""

import psycopg
from psycopg_pool import ConnectionPool

PINNED_PSYCOPG_POOL = "3.3.3"
_OUTAGE_AWARE = "_outage_aware"


class DatabaseUnreachable(psycopg.OperationalError):
    """No connection for this request: the database is down (no SQLSTATE: client side)."""


def make_outage_aware(pool):
    """Wrap the pool's connection check and getconn(); once per pool, no I/O."""
    from .database_outage import confirm_database_unreachable, database_known_down, should_fail_fast

    if pool is None or getattr(pool, _OUTAGE_AWARE, False):
        return
    check_connection = pool._check or ConnectionPool.check_connection
    getconn = pool.getconn

    def check_unless_known_down(conn):
        try:
            check_connection(conn)
        except Exception:
            # Database down: no error, so the broken connection goes to the request and its
            # first query fails at once (no back-off sleep). A restart leaves broken
            # connections too: then the check fails as usual and the pool replaces it.
            if not (database_known_down() or confirm_database_unreachable()):
                raise

    def getconn_unless_known_down(timeout=None):
        # The fast-fail rule of web requests, which also ends the outage once the database
        # answers: a process without requests (a task worker) recovers by itself too.
        if should_fail_fast():
            raise DatabaseUnreachable("the database is known to be unreachable")
        return getconn(timeout)

    pool._check = check_unless_known_down
    pool.getconn = getconn_unless_known_down
    setattr(pool, _OUTAGE_AWARE, True)


def release_waiting_requests(pool):
    """Fail every request queued for a connection of ``pool`` (as closing the pool does)."""
    if pool is None:
        return
    with pool._lock:
        waiting = list(pool._waiting)
        pool._waiting.clear()
    for client in waiting:
        client.fail(DatabaseUnreachable("the database is unreachable"))


def make_outage_aware_on_connect(sender, connection, **kwargs):
    """connection_created receiver: each pool is wrapped once it has given a connection.

    A process started while the database is down gets this from its first connection on;
    until then its requests wait for the pool timeout (then the outage is noted as usual).
    """
    make_outage_aware(getattr(connection, "pool", None))
