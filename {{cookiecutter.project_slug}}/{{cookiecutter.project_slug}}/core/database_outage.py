"""When the database is known to be down, answer at once instead of waiting on it.

Without this, every request during an outage holds a worker for the whole connection
wait (the pool timeout, or the connect timeout), so a queue of them starves even the
liveness probe. Once a request has failed because the database could not be reached (and
a direct connection confirms it), this process answers 503 (``database_unavailable``, with Retry-After) to every request
but the health probes, for DATABASE_OUTAGE_RETRY_SECONDS. Then one request checks the
database with the health check's own short, direct connection (never the request pool):
if it answers, everyone goes through again; if not, the wait starts over. So the service
recovers by itself, and no request waits on a database that is known to be down.

The state is per process: each worker learns of an outage from its own first failure.
"""

import logging
import sys
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError

from .django_compat import mark_response_logged
from .exceptions import error_response

logger = logging.getLogger(__name__)

# SQLSTATE classes and codes that mean "the server cannot be talked to", as opposed to a
# query that failed (a deadlock, a cancelled statement) on a server that is fine.
UNREACHABLE_SQLSTATE_PREFIXES = ("08", "57P01", "57P02", "57P03")
EXEMPT_PATH_PREFIX = "/api/health/"


class _Outage:
    def __init__(self):
        self.lock = threading.Lock()
        self.down_since = None
        self.next_check = 0.0


_outage = _Outage()


def is_database_unreachable(exc):
    """True for a Django database error caused by the server being unreachable.

    A driver error without SQLSTATE comes from the client side (connection refused or
    lost, connect or pool timeout); a server error counts only in the classes above.
    """
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return False
    cause = exc.__cause__
    if cause is None or not hasattr(cause, "sqlstate"):  # not a psycopg error (SQLite)
        return False
    sqlstate = cause.sqlstate
    return sqlstate is None or sqlstate.startswith(UNREACHABLE_SQLSTATE_PREFIXES)


def note_database_unreachable():
    with _outage.lock:
        if _outage.down_since is None:
            _outage.down_since = time.monotonic()
            logger.error("database unreachable: failing fast for %ss", retry_seconds())
        _outage.next_check = time.monotonic() + retry_seconds()
    # begin feature: psycopg_pool
    # Requests already queued for a pooled connection would wait for the whole pool timeout.
    from django.db import connections

    from .database_pool import release_waiting_requests

    for connection in connections.all(initialized_only=True):
        release_waiting_requests(getattr(connection, "pool", None))
    # end feature: psycopg_pool


def confirm_database_unreachable():
    """A direct connection confirms the database is down: then the outage is noted."""
    if database_answers():
        return False
    note_database_unreachable()
    return True


def database_known_down():
    """True while an outage is noted and not yet over; does no I/O."""
    return _outage.down_since is not None


def database_recovered():
    with _outage.lock:
        if _outage.down_since is not None:
            logger.warning(
                "database reachable again after %.1fs", time.monotonic() - _outage.down_since
            )
        _outage.down_since = None


def should_fail_fast():
    """True while the database is known down; one caller per interval checks it instead."""
    with _outage.lock:
        if _outage.down_since is None:
            return False
        if time.monotonic() < _outage.next_check:
            return True
        # This caller checks; the others keep failing fast meanwhile.
        _outage.next_check = time.monotonic() + retry_seconds()
    if not database_answers():
        return True
    database_recovered()
    return False


def database_answers():
    """The health check's short, direct connection (never the request pool) gets an answer."""
    from .health import check_database

    try:
        check_database()
    except Exception as exc:  # any failure of the check means: not answering
        logger.info("database not answering: %s", exc)
        return False
    return True


def retry_seconds():
    return settings.DATABASE_OUTAGE_RETRY_SECONDS


def database_unavailable_response():
    response = error_response(
        503, "database_unavailable", "The database is unavailable; try again shortly."
    )
    response["Retry-After"] = str(max(1, round(retry_seconds())))
    return response


def note_request_exception(sender, request=None, **kwargs):
    """got_request_exception receiver: a request failed; was it the database?

    Confirmed with a direct connection first: a pool that is only exhausted (slow
    requests holding every connection) or a connection lost to a server that is already
    back is no outage, and must not turn this process away from a working database.
    """
    if not is_database_unreachable(sys.exc_info()[1]) or database_known_down():
        return
    confirm_database_unreachable()


class DatabaseOutageMiddleware:
    """Early in MIDDLEWARE: refuse at once while the database is known to be down."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(EXEMPT_PATH_PREFIX) and should_fail_fast():
            response = database_unavailable_response()
            # The outage was reported when it was found (an error with its traceback); an
            # error line and an e-mail per refused request would only bury that report.
            mark_response_logged(response)
            return response
        return self.get_response(request)
