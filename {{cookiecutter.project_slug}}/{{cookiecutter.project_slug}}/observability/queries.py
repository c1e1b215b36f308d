"""Database query monitoring: per-request count and time, and a log line per slow query.

Every connection gets one execute wrapper (installed when it opens). It adds each query's
duration to the current request's totals (read by the request log) and logs a warning for
a query slower than ``settings.SLOW_QUERY_MS``, with the view that ran it. Outside a request
(commands, background tasks) only slow queries are logged.
"""

import contextvars
import logging
import time

from django.conf import settings

logger = logging.getLogger("{{ cookiecutter.project_slug }}.slow_query")
SQL_LOG_CHARS = 2000


class QueryStats:
    __slots__ = ("count", "request", "seconds")

    def __init__(self, request=None):
        self.request = request
        self.count = 0
        self.seconds = 0.0

    @property
    def milliseconds(self):
        return round(self.seconds * 1000, 2)


current_stats: contextvars.ContextVar[QueryStats | None] = contextvars.ContextVar(
    "query_stats", default=None
)


def view_name(request):
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    return match.view_name or match.route


def record_query(execute, sql, params, many, context):
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        elapsed = time.perf_counter() - started
        stats = current_stats.get()
        if stats is not None:
            stats.count += 1
            stats.seconds += elapsed
        if elapsed * 1000 >= settings.SLOW_QUERY_MS:
            log_slow_query(sql, elapsed, stats, context)


def log_slow_query(sql, elapsed, stats, context):
    duration_ms = round(elapsed * 1000, 2)
    request = stats.request if stats is not None else None
    view = view_name(request) if request is not None else None
    # Parameters are left out on purpose: they may hold personal data.
    logger.warning(
        "slow query %.1fms in %s: %s",
        duration_ms,
        view or "(no request)",
        sql[:SQL_LOG_CHARS],
        extra={
            "duration_ms": duration_ms,
            "view": view,
            "path": request.path if request is not None else None,
            "sql": sql[:SQL_LOG_CHARS],
            "database": context["connection"].alias,
        },
    )


def install_query_monitor(sender, connection, **kwargs):
    """connection_created receiver: wrap every query of this connection, once.

    Inserted first (outermost) so that code pushing and popping its own wrapper with
    ``connection.execute_wrapper()`` around a reconnect still pops its own.
    """
    if record_query not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, record_query)
