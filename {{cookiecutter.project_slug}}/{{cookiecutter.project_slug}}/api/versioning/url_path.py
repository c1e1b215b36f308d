"""URL-path versioning: the version is the first path segment, /api/v1/items/."""

from django.conf import settings
from django.urls import URLPattern, URLResolver, include, re_path
from rest_framework import versioning

from ..deprecation import attach_deprecation
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


class URLPathVersioning(versioning.URLPathVersioning):
    """DRF's URL-path versioning, which also attaches the version's deprecation (or a 410)."""

    def parse_version(self, request, *args, **kwargs):
        """The one reading of the URL's version (DRF's), NotFound if unknown."""
        return super().determine_version(request, *args, **kwargs)

    def determine_version(self, request, *args, **kwargs):
        version = self.parse_version(request, *args, **kwargs)
        if self.version_param in kwargs:  # unversioned endpoints (/api/auth/) have no version
            attach_deprecation(request, version_for_label(version), label, where)
        return version


def version_urlpatterns():
    return [
        re_path(rf"^(?P<version>{label(version)})/", include(version_module(version)))
        for version in settings.API_VERSIONS
    ]


def schema_urlpatterns(version: str) -> list[URLPattern | URLResolver]:
    """What the OpenAPI schema of ``version`` describes under /api/, besides the shared part."""
    return [re_path(rf"^(?P<version>{label(version)})/", include(version_module(version)))]
