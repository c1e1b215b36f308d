"""Accept-header versioning: one URL per resource, the version from the Accept header.

Every version's routes are merged into one URL each (``dispatcher``). Routing needs the
version before DRF runs, so the dispatcher asks the versioning class once and keeps the
answer on the request; DRF's own call then returns that answer instead of parsing again.
This module must not import DRF's views: DRF imports the versioning class while
rest_framework.views itself is being imported.
"""

from typing import cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver
from rest_framework import versioning
from rest_framework.exceptions import APIException
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.settings import api_settings

from ..deprecation import attach_deprecation
from .packages import version_module, version_named


def label(version: str) -> str:
    """The version as clients write it: 1 in "Accept: application/json; version=1"."""
    return version.removeprefix("v")


def version_for_label(value: str | None) -> str | None:
    """The version (package name) that clients call ``value`` (or that is named ``value``)."""
    return version_named(value, label)


def where(version: str) -> str:
    """How a client asks for ``version`` (used in error messages)."""
    return f"Accept: application/json; version={label(version)}"


class AcceptHeaderVersioning(versioning.AcceptHeaderVersioning):
    """DRF's Accept-header versioning: a 406 that lists the versions, the deprecation attached."""

    def __init__(self) -> None:
        super().__init__()
        served = ", ".join(label(version) for version in settings.API_VERSIONS)
        self.invalid_version_message = (
            f'Unknown API version in the "Accept" header; this API serves version={served}.'
        )

    def parse_version(self, request):
        """The one reading of the Accept header's version (DRF's), NotAcceptable if unknown."""
        return super().determine_version(request)

    def determine_version(self, request, *args, **kwargs):
        negotiated = getattr(request._request, "negotiated_api_version", None)
        if negotiated is None:  # an unversioned endpoint (/api/auth/): no dispatcher parsed
            return self.parse_version(request)
        value, refusal = negotiated
        if refusal is not None:
            raise refusal
        attach_deprecation(request, version_for_label(value), label, where)
        return value


def negotiate_version(request, format_suffix=None):
    """The version the Accept header asks for, parsed once and kept for DRF (see above).

    None when the header names no version this API serves (the view then answers DRF's 406).
    """
    drf_request = Request(request)
    # api_settings imports the classes its settings name; the type stubs still say strings.
    negotiation = cast(type[BaseContentNegotiation], api_settings.DEFAULT_CONTENT_NEGOTIATION_CLASS)
    renderer_classes = cast(list[type[BaseRenderer]], api_settings.DEFAULT_RENDERER_CLASSES)
    negotiator = negotiation()
    renderers = [renderer() for renderer in renderer_classes]
    try:
        renderer, media_type = negotiator.select_renderer(drf_request, renderers, format_suffix)
    except APIException:
        return None  # no media type this API renders: the view's own negotiation answers 406
    drf_request.accepted_renderer, drf_request.accepted_media_type = renderer, media_type
    try:
        request.negotiated_api_version = (AcceptHeaderVersioning().parse_version(drf_request), None)
    except APIException as refusal:
        request.negotiated_api_version = (None, refusal)
    return version_for_label(request.negotiated_api_version[0])


def dispatcher(views):
    """One URL for every version: the negotiated version's view answers it."""

    def view(request, *args, **kwargs):
        version = negotiate_version(request, kwargs.get("format"))
        if version is None:
            # No version this API serves: the default version's view answers DRF's 406.
            callback = views.get(settings.API_DEFAULT_VERSION) or next(iter(views.values()))
        else:
            callback = views.get(version)
            if callback is None:
                # Imported here: core.exceptions imports DRF's views (see the module docstring).
                from ...core.exceptions import error_response

                message = f"Not found in API version {label(version)}."
                return error_response(404, "not_found", message)
        return callback(request, *args, **kwargs)

    # Read from the view function by Django's CSRF check; mypy gives a function no attributes.
    view.csrf_exempt = all(getattr(v, "csrf_exempt", False) for v in views.values())  # type: ignore[attr-defined]
    return view


def version_urlpatterns() -> list[URLPattern]:
    """The union of every version's routes, each dispatched by the Accept header."""
    routes: dict[tuple[str, str | None], dict[str, URLPattern]] = {}
    for version in settings.API_VERSIONS:
        for pattern in version_module(version).urlpatterns:
            if not isinstance(pattern, URLPattern):
                raise ImproperlyConfigured(
                    f"api/{version}/urls.py: use flat routes (a router's urls), not include()"
                )
            routes.setdefault((str(pattern.pattern), pattern.name), {})[version] = pattern
    patterns = []
    for (_, name), by_version in routes.items():
        first = next(iter(by_version.values()))
        views = {version: p.callback for version, p in by_version.items()}
        patterns.append(URLPattern(first.pattern, dispatcher(views), first.default_args, name))
    return patterns


def schema_urlpatterns(version: str) -> list[URLPattern | URLResolver]:
    """What the OpenAPI schema of ``version`` describes under /api/, besides the shared part."""
    return list(version_module(version).urlpatterns)
