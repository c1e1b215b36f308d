"""Which API version a request is for, and the URL patterns of every version.

Versions are packages next to this module (v1/, v2/, ...) listed in settings.API_VERSIONS.
Each has its own urls.py; models and services are shared by all of them.
"""

from importlib import import_module

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured  # feature: accept_header_versioning
from django.urls import URLPattern, URLResolver  # feature: accept_header_versioning
from django.urls import URLPattern, URLResolver, include, re_path  # feature: url_path_versioning
from rest_framework.exceptions import APIException  # feature: accept_header_versioning
from rest_framework.request import Request  # feature: accept_header_versioning
from rest_framework.views import APIView  # feature: accept_header_versioning
# begin feature: accept_header_versioning

from ..core.exceptions import error_response
# end feature: accept_header_versioning


def version_module(version, name="urls"):
    return import_module(f"{__package__}.{version}.{name}")


def version_for_label(value: str | None) -> str | None:
    """The version (package name) that clients call ``value`` (or that is named ``value``)."""
    return next((v for v in settings.API_VERSIONS if value in (v, label(v))), None)


# begin feature: url_path_versioning
def label(version: str) -> str:
    """The version as clients write it: v1 in /api/v1/."""
    return version


def where(version: str) -> str:
    """How a client asks for ``version`` (used in error messages)."""
    return f"/api/{label(version)}/"


def request_version(request, view_func, view_kwargs):
    """The version named in the URL (/api/v1/...), or None outside the versioned API."""
    return version_for_label(view_kwargs.get("version"))


def version_urlpatterns():
    return [
        re_path(rf"^(?P<version>{label(version)})/", include(version_module(version)))
        for version in settings.API_VERSIONS
    ]


def schema_urlpatterns(version: str) -> list[URLPattern | URLResolver]:
    """What the OpenAPI schema of ``version`` describes under /api/, besides the shared part."""
    return [re_path(rf"^(?P<version>{label(version)})/", include(version_module(version)))]
# end feature: url_path_versioning
# begin feature: accept_header_versioning
def label(version: str) -> str:
    """The version as clients write it: 1 in "Accept: application/json; version=1"."""
    return version.removeprefix("v")


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
# end feature: accept_header_versioning
