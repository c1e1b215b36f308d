"""One log line per request, with a request id that the response echoes back; and a JSON
body for every error answered without one.

The log line also carries the number of database queries the request ran and their total
time (see core.queries).
"""

import logging
import re
import time
import uuid

# begin feature: sentry
import sentry_sdk

# end feature: sentry
from .client_ip import client_ip, request_from_trusted_proxy
from .exceptions import status_error_response
from .logging import request_id_var
from .queries import QueryStats, current_stats

logger = logging.getLogger("{{ cookiecutter.project_slug }}.request")

# A caller's id is kept only from our own proxies (TRUSTED_PROXIES), and only if it looks
# like one: anyone else could forge ids to pollute the logs or impersonate another trace.
INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
QUIET_PATHS: tuple[str, ...] = ("/api/health/",)
QUIET_PATHS += ("/metrics",)  # feature: prometheus


class ForwardedProtoMiddleware:
    """``X-Forwarded-Proto`` is believed only from our own proxies, like X-Forwarded-For.

    Production trusts the header for "is this request HTTPS?" (SECURE_PROXY_SSL_HEADER).
    A client that reaches the app directly could otherwise claim HTTPS over plain HTTP and
    skip the redirect; its header is dropped, so Django sees the scheme it really used.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request_from_trusted_proxy(request):
            request.META.pop("HTTP_X_FORWARDED_PROTO", None)
        return self.get_response(request)


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
        level = logging.DEBUG if request.path.startswith(QUIET_PATHS) else logging.INFO
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


class ErrorBodyMiddleware:
    """An error answered with an empty body gets the API's JSON error body.

    Django's ``require_GET`` and its generic views answer 405 with nothing in it, as does
    the static files middleware for a POST, and any view returning a bare
    ``HttpResponseNotFound()``: clients parse every error the same way. Headers (``Allow``,
    cookies) are kept; a response with a body of its own is never touched.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or has_body(response):
            return response
        replacement = status_error_response(response.status_code)
        for header, value in response.items():
            if header.lower() not in ("content-type", "content-length"):
                replacement[header] = value
        replacement.cookies = response.cookies
        return replacement


def has_body(response):
    if response.streaming:
        # A FileResponse without a file is empty (a static file's 405 or 416); any other
        # stream is taken to have content (reading it to find out would consume it).
        return getattr(response, "file_to_stream", True) is not None
    return bool(response.content)
