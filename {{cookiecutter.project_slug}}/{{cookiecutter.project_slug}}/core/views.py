"""Django's error handlers, answering with the API's JSON error body."""

from .exceptions import error_response


def bad_request(request, exception=None):
    return error_response(400, "bad_request", "Bad request.")


def permission_denied(request, exception=None):
    return error_response(403, "permission_denied", "You do not have permission to do this.")


def page_not_found(request, exception=None):
    return error_response(404, "not_found", "Not found.")


def server_error(request):
    return error_response(500, "server_error", "Internal server error.")
