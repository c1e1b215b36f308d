"""One JSON error body for every error the API returns.

{"error": {"status": 404, "code": "not_found", "message": "Not found.", "details": null}}
"""

from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.views import exception_handler

# The statuses whose code and message differ from HTTP's own reason phrase.
STATUS_ERRORS = {
    403: ("permission_denied", "You do not have permission to do this."),
    413: ("request_too_large", "The request body is too large."),
    500: ("server_error", "Internal server error."),
}


def error_body(status: int, code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message, "details": details}}


def error_response(status: int, code: str, message: str, details: Any = None) -> JsonResponse:
    return JsonResponse(error_body(status, code, message, details), status=status)


def status_error(status: int) -> tuple[str, str]:
    """The code and message of an error known only by its status: 405 -> method_not_allowed."""
    if status in STATUS_ERRORS:
        return STATUS_ERRORS[status]
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:  # a status HTTP does not name (499, say)
        return "error", "Error."
    return phrase.lower().replace(" ", "_").replace("-", "_"), f"{phrase.capitalize()}."


def status_error_response(status: int, details: Any = None) -> JsonResponse:
    return error_response(status, *status_error(status), details)


def api_exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None  # unhandled: Django's handlers answer (400, 413, or 500 logged and reported)
    detail = response.data
    if isinstance(exc, exceptions.ValidationError):
        message, details = "Invalid input.", detail
    else:
        message = str(detail.get("detail", exc)) if isinstance(detail, dict) else str(exc)
        details = getattr(exc, "details", None)  # exceptions that carry more than a message
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    code = codes if isinstance(codes, str) else "invalid"
    response.data = error_body(response.status_code, code, message, details)
    return response
