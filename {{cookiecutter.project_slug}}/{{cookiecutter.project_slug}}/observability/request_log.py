"""One log line per request, with a request id that the response echoes back.

The log line also carries the number of database queries the request ran and their total
time (see observability.queries).
"""

import logging
import re
import time
import uuid

# begin feature: sentry
import sentry_sdk

# end feature: sentry
from ..core.client_ip import client_ip, request_from_trusted_proxy
from .queries import QueryStats, current_stats
from .quiet_paths import is_quiet
from .request_id import request_id_var

logger = logging.getLogger("{{ cookiecutter.project_slug }}.request")

# A caller's id is kept only from our own proxies (TRUSTED_PROXIES), and only if it looks
# like one: anyone else could forge ids to pollute the logs or impersonate another trace.
INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = request_id_for(request)
        token = request_id_var.set(request.id)
        sentry_sdk.set_tag("request_id", request.id)  # feature: sentry
        queries = QueryStats(request)
        queries_token = current_stats.set(queries)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.id
            self.log(request, response.status_code, started, queries)
            return response
        finally:
            current_stats.reset(queries_token)
            request_id_var.reset(token)

    def log(self, request, status, started, queries):
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        level = logging.DEBUG if is_quiet(request.path) else logging.INFO
        user = getattr(request, "user", None)
        logger.log(
            level,
            "%s %s %s %.1fms (%d queries, %.1fms)",
            request.method,
            request.path,
            status,
            duration_ms,
            queries.count,
            queries.milliseconds,
            extra={
                "method": request.method,
                "path": request.path,
                "client_ip": client_ip(request),
                "status": status,
                "duration_ms": duration_ms,
                "db_queries": queries.count,
                "db_time_ms": queries.milliseconds,
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )


def request_id_for(request):
    """The id our proxy gave this request (nginx's $request_id), else a fresh one."""
    incoming = request.headers.get("X-Request-ID", "")
    if INCOMING_ID.match(incoming) and request_from_trusted_proxy(request):
        return incoming
    return uuid.uuid4().hex
