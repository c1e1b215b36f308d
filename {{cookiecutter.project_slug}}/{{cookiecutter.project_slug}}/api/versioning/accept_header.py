"""Accept-header versioning: one URL per resource, the version from the Accept header.

Every version's routes are merged into one URL each (``dispatcher``); the version DRF
negotiates picks the view that answers.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.views import APIView

from ...core.exceptions import error_response
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


def request_version(request, view_func, view_kwargs):
    """The version the Accept header asks for, negotiated exactly as DRF will do it.

    None outside the versioned API, or when the header names no version this API serves
    (the view then answers DRF's 406).
    """
    if not getattr(view_func, "negotiates_api_version", False):
        return None
    drf_request = Request(request)
    view = APIView()
    view.format_kwarg = view_kwargs.get("format")
    try:
        renderer, media_type = view.perform_content_negotiation(drf_request)
        drf_request.accepted_renderer, drf_request.accepted_media_type = renderer, media_type
        value, _ = view.determine_version(drf_request)
    except APIException:
        return None
    return version_for_label(value)


def dispatcher(views):
    """One URL for every version: the negotiated version's view answers it."""

    def view(request, *args, **kwargs):
        version = getattr(request, "api_version", None)
        if version is None:
            # No version this API serves: the default version's view answers DRF's 406.
            callback = views.get(settings.API_DEFAULT_VERSION) or next(iter(views.values()))
        else:
            callback = views.get(version)
            if callback is None:
                message = f"Not found in API version {label(version)}."
                return error_response(404, "not_found", message)
        return callback(request, *args, **kwargs)

    # Flags read from the view function (by our middleware and Django's CSRF check); mypy
    # gives a function no attributes of its own.
    view.negotiates_api_version = True  # type: ignore[attr-defined]
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
