"""The version packages (api/v1/, api/v2/, ...) that settings.API_VERSIONS lists.

Each has its own urls.py; models and services are shared by all of them.
"""

from collections.abc import Callable
from importlib import import_module

from django.conf import settings

API_PACKAGE = __name__.rsplit(".", 2)[0]  # the api package


def version_module(version, name="urls"):
    return import_module(f"{API_PACKAGE}.{version}.{name}")


def version_named(value: str | None, label: Callable[[str], str]) -> str | None:
    """The version (package name) that clients call ``value`` (or that is named ``value``)."""
    return next((v for v in settings.API_VERSIONS if value in (v, label(v))), None)
