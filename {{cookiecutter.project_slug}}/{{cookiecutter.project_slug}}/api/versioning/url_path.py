"""URL-path versioning: the version is the first path segment, /api/v1/items/."""

from django.conf import settings
from django.urls import URLPattern, URLResolver, include, re_path

from .packages import version_module, version_named


def label(version: str) -> str:
    """The version as clients write it: v1 in /api/v1/."""
    return version


def version_for_label(value: str | None) -> str | None:
    """The version (package name) that clients call ``value`` (or that is named ``value``)."""
    return version_named(value, label)


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
