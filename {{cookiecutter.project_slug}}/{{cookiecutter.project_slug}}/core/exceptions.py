"""One JSON error body for every error the API returns.

{"error": {"status": 404, "code": "not_found", "message": "Not found.", "details": null}}
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.views import exception_handler


def error_body(status, code, message, details=None):
    return {"error": {"status": status, "code": code, "message": message, "details": details}}


def error_response(status, code, message, details=None):
    return JsonResponse(error_body(status, code, message, details), status=status)


def api_exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None  # unhandled: Django's handler500 answers (and logs and reports it)
    detail = response.data
    if isinstance(exc, exceptions.ValidationError):
        message, details = "Invalid input.", detail
    else:
        message = str(detail.get("detail", exc)) if isinstance(detail, dict) else str(exc)
        details = None
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    code = codes if isinstance(codes, str) else "invalid"
    response.data = error_body(response.status_code, code, message, details)
    return response
