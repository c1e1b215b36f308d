"""One log line per request, with a request id that the response echoes back."""

import logging
import re
import time
import uuid

from .logging import request_id_var

logger = logging.getLogger("{{ cookiecutter.project_slug }}.request")

# Accept a caller's id (from a proxy or another service) only if it looks like one.
INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
QUIET_PATHS = ("/api/health/",)


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if INCOMING_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.id
            self.log(request, response.status_code, started)
            return response
        finally:
            request_id_var.reset(token)

    def log(self, request, status, started):
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        level = logging.DEBUG if request.path.startswith(QUIET_PATHS) else logging.INFO
        user = getattr(request, "user", None)
        logger.log(
            level,
            "%s %s %s %.1fms",
            request.method,
            request.path,
            status,
            duration_ms,
            extra={
                "method": request.method,
                "path": request.path,
                "status": status,
                "duration_ms": duration_ms,
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
