"""Django's error handlers, answering with the API's JSON error body; and /favicon.ico."""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.views import csrf
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from .database_outage import database_unavailable_response, is_database_unreachable
from .exceptions import error_response, status_error_response


def bad_request(request, exception=None):
    # Django turns every SuspiciousOperation into a 400; a body over
    # DATA_UPLOAD_MAX_MEMORY_SIZE is the one a client can fix by sending less.
    if isinstance(exception, RequestDataTooBig):
        return status_error_response(413)
    return status_error_response(400)


def permission_denied(request, exception=None):
    return status_error_response(403)


def page_not_found(request, exception=None):
    return status_error_response(404)


def server_error(request):
    # Called while the unhandled exception is being handled: sys.exc_info() is that error.
    if is_database_unreachable(sys.exc_info()[1]):
        return database_unavailable_response()
    return status_error_response(500)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the JSON error body, except in the admin (HTML forms, for people)."""
    if request.path_info.startswith(f"/{settings.ADMIN_URL}"):
        return csrf.csrf_failure(request, reason)
    return error_response(403, "csrf_failed", "CSRF verification failed.", {"reason": reason})


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request):
    """Browsers ask for /favicon.ico on every HTML page (the admin, the API docs): an API has
    no icon, and "No Content" (unlike a 404) is not logged as an error in their consoles."""
    return HttpResponse(status=204)
