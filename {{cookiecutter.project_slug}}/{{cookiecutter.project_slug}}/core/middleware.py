"""The scheme as our proxies saw it, and a JSON body for every error answered without one.

The request log and request id live in observability.request_log.
"""

from .client_ip import request_from_trusted_proxy
from .exceptions import status_error_response


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
