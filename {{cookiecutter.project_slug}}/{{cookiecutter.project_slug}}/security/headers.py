"""Headers Django's SecurityMiddleware does not send itself."""

from django.conf import settings


class SecurityHeadersMiddleware:
    """Cross-Origin-Resource-Policy on every response; no Server header from the app."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.SECURE_CROSS_ORIGIN_RESOURCE_POLICY
        if policy:
            response.headers.setdefault("Cross-Origin-Resource-Policy", policy)
        # The server software and its version are nobody's business (gunicorn sends only
        # its name, nginx nothing with server_tokens off).
        if "Server" in response.headers:
            del response.headers["Server"]
        return response
