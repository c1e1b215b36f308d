"""Django's error handlers, answering with the API's JSON error body; and /favicon.ico."""

import sys

from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from .database_outage import database_unavailable_response, is_database_unreachable
from .exceptions import error_response


def bad_request(request, exception=None):
    return error_response(400, "bad_request", "Bad request.")


def permission_denied(request, exception=None):
    return error_response(403, "permission_denied", "You do not have permission to do this.")


def page_not_found(request, exception=None):
    return error_response(404, "not_found", "Not found.")


def server_error(request):
    # Called while the unhandled exception is being handled: sys.exc_info() is that error.
    if is_database_unreachable(sys.exc_info()[1]):
        return database_unavailable_response()
    return error_response(500, "server_error", "Internal server error.")


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request):
    """Browsers ask for /favicon.ico on every HTML page (the admin, the API docs): an API has
    no icon, and "No Content" (unlike a 404) is not logged as an error in their consoles."""
    return HttpResponse(status=204)
