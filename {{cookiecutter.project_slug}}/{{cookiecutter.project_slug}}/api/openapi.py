"""The OpenAPI schema (drf-spectacular) and its self-hosted Swagger UI and ReDoc.

Every operation documents the API's one JSON error body for the errors it can answer.
The docs pages load their assets from drf-spectacular-sidecar through the static files
(no CDN) and contain no inline script or style, so they work offline and under a strict
Content Security Policy. The schema itself is public so that clients can generate code;
the docs pages are staff-only when API_DOCS_PUBLIC is off (the production default).
"""

from django.conf import settings
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework import permissions
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

# begin feature: api_versions
from .versioning import version_for_label

# end feature: api_versions

class JsonErrors(APIView):
    """Errors are the API's JSON body, not YAML or HTML from the view's own renderers."""

    def handle_exception(self, exc):
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


class SchemaView(JsonErrors, SpectacularAPIView):
    """GET /api/schema/ (YAML, or JSON with ?format=json)."""

    permission_classes = [permissions.AllowAny]
    # begin feature: api_versions
    # The version comes from ?version=, not from this URL or the Accept header.
    versioning_class = None
    # end feature: api_versions

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        requested = request.GET.get("version")
        if requested is not None and not is_served_version(requested):
            # Never another version's schema: a client generated from it would be wrong.
            raise NotFound(f"This API serves no version {requested!r}.")
        return super().get(request, *args, **kwargs)


def is_served_version(value):
    """Whether ``?version=value`` names a version this API serves."""
    return version_for_label(value) is not None  # feature: api_versions
    return False  # feature: not api_versions


class DocsAccess(permissions.BasePermission):
    """Everyone with API_DOCS_PUBLIC, else staff signed in through the admin."""

    def has_permission(self, request, view):
        return settings.API_DOCS_PUBLIC or request.user.is_staff


class DocsPage(JsonErrors):
    """An HTML page for people: public, or for staff only (API_DOCS_PUBLIC).

    Anyone else gets the API's JSON 401/403, not a redirect to the admin login: that would
    give away the admin's path (DJANGO_ADMIN_URL).
    """

    permission_classes = [DocsAccess]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return self.page(request, *args, **kwargs)

    def page(self, request, *args, **kwargs) -> HttpResponse:
        """The page itself: each docs view below names the drf-spectacular view it renders."""
        raise NotImplementedError

    def schema_url(self, request):
        query = request.GET.copy()
        query.pop("script", None)
        url = reverse("schema")
        return f"{url}?{query.urlencode()}" if query else url


def html_page(title, head, body):
    return HttpResponse(
        format_html(
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            "<title>{}</title>\n{}</head>\n<body>\n{}</body>\n</html>\n",
            title,
            head,
            body,
        ),
        content_type="text/html; charset=utf-8",
    )


class SwaggerView(DocsPage, SpectacularSwaggerSplitView):
    """GET /api/docs/: Swagger UI; its start-up script is a separate file (?script)."""

    def page(self, request, *args, **kwargs):
        if "script" in request.GET:
            return SpectacularSwaggerSplitView.get(self, request, *args, **kwargs)
        query = request.GET.copy()
        query["script"] = ""
        dist = "drf_spectacular_sidecar/swagger-ui-dist"
        head = format_html(
            '<link rel="icon" href="{}">\n<link rel="stylesheet" href="{}">\n',
            static(f"{dist}/favicon-32x32.png"),
            static(f"{dist}/swagger-ui.css"),
        )
        body = format_html(
            '<div id="swagger-ui"></div>\n<script src="{}"></script>\n'
            '<script src="{}"></script>\n<script src="{}"></script>\n',
            static(f"{dist}/swagger-ui-bundle.js"),
            static(f"{dist}/swagger-ui-standalone-preset.js"),
            f"{request.path}?{query.urlencode()}",
        )
        return html_page(f"{self.title} (Swagger UI)", head, body)


class RedocView(DocsPage, SpectacularRedocView):
    """GET /api/redoc/: ReDoc."""

    def page(self, request, *args, **kwargs):
        body = format_html(
            '<redoc spec-url="{}"></redoc>\n<script src="{}"></script>\n',
            self.schema_url(request),
            static("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"),
        )
        return html_page(f"{self.title} (ReDoc)", "", body)
