"""Deprecated API versions: warning headers, 410 Gone after the sunset, usage logs.

Configured in settings.API_DEPRECATIONS (see config/settings/features/api_versions.py),
parsed once and checked when Django starts (api/checks.py), so a wrong date or an unknown
version never reaches production silently. The policy behind it is in docs/API_VERSIONING.md.

DRF's versioning class (api/versioning/) decides each request's version once and calls
``attach_deprecation``; the middleware then sends the headers and logs the call.
"""

import datetime as dt
import functools
import logging
from contextvars import ContextVar  # feature: openapi
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.http import http_date
from prometheus_client import Counter  # feature: prometheus
from rest_framework.exceptions import APIException

logger = logging.getLogger(__name__)
# begin feature: prometheus

DEPRECATED_REQUESTS = Counter(
    "api_deprecated_version_requests_total",
    "Requests to deprecated API versions, by version and status",
    ["version", "status"],
)
# end feature: prometheus
# begin feature: openapi

# True while api/schema.py generates a schema: describing a retired version is no call to it.
describing_schema = ContextVar("describing_schema", default=False)
# end feature: openapi


@dataclass(frozen=True)
class Deprecation:
    version: str
    deprecated: dt.datetime
    sunset: dt.datetime | None
    link: str
    replacement: str | None

    def headers(self):
        headers = {
            "Deprecation": f"@{int(self.deprecated.timestamp())}",
            "Link": f'<{self.link}>; rel="deprecation"; type="text/html"',
        }
        if self.sunset:
            headers["Sunset"] = http_date(self.sunset.timestamp())
        return headers

    def is_past_sunset(self, now=None):
        return self.sunset is not None and (now or timezone.now()) >= self.sunset


def parse_moment(version, field, value):
    """ISO 8601 date or date-time (or a date/datetime object); naive values are UTC."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ImproperlyConfigured(
                f"API_DEPRECATIONS[{version!r}][{field!r}]={value!r} is not an ISO 8601 date"
            ) from None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time.min)
    if not isinstance(value, dt.datetime):
        raise ImproperlyConfigured(f"API_DEPRECATIONS[{version!r}][{field!r}] must be a date")
    return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)


def parse_deprecations(raw, known_versions):
    """settings.API_DEPRECATIONS -> {version: Deprecation}, or ImproperlyConfigured."""
    parsed = {}
    for version, entry in raw.items():
        where = f"API_DEPRECATIONS[{version!r}]"
        if version not in known_versions:
            raise ImproperlyConfigured(f"{where}: {version!r} is not in API_VERSIONS")
        unknown = set(entry) - {"deprecated", "sunset", "link", "replacement"}
        if unknown:
            raise ImproperlyConfigured(f"{where}: unknown keys {sorted(unknown)}")
        for field in ("deprecated", "link"):
            if not entry.get(field):
                raise ImproperlyConfigured(f"{where}: {field!r} is required")
        deprecated = parse_moment(version, "deprecated", entry["deprecated"])
        sunset = entry.get("sunset")
        sunset = parse_moment(version, "sunset", sunset) if sunset else None
        if sunset is not None and sunset < deprecated:
            raise ImproperlyConfigured(
                f"{where}: sunset {sunset.isoformat()} is earlier than deprecated "
                f"{deprecated.isoformat()}"
            )
        link = entry["link"]
        if not link.startswith(("https://", "http://", "/")) or any(c in link for c in '<> "'):
            raise ImproperlyConfigured(f"{where}: link {link!r} must be an absolute URL or path")
        newer = known_versions[known_versions.index(version) + 1 :]
        replacement = entry.get("replacement", newer[0] if newer else None)
        if replacement is not None and replacement not in newer:
            raise ImproperlyConfigured(
                f"{where}: replacement {replacement!r} must be a newer version in API_VERSIONS"
            )
        parsed[version] = Deprecation(version, deprecated, sunset, link, replacement)
    return parsed


@functools.cache
def deprecations():
    """{version: Deprecation}, parsed once; ImproperlyConfigured on a bad version setting."""
    known = list(settings.API_VERSIONS)
    if not known or len(set(known)) != len(known):
        raise ImproperlyConfigured("API_VERSIONS must list each version once, oldest first")
    if settings.API_DEFAULT_VERSION not in known:
        raise ImproperlyConfigured(
            f"API_DEFAULT_VERSION={settings.API_DEFAULT_VERSION!r} is not in API_VERSIONS"
        )
    return parse_deprecations(settings.API_DEPRECATIONS, known)


@receiver(setting_changed)
def forget_parsed_deprecations(*, setting, **kwargs):
    # Tests override the version settings; a process's real settings never change.
    if setting in {"API_VERSIONS", "API_DEFAULT_VERSION", "API_DEPRECATIONS"}:
        deprecations.cache_clear()


def deprecation_for(version):
    return deprecations().get(version)


class VersionRetired(APIException):
    """410 Gone for a version past its sunset, naming the replacement and the guide."""

    status_code = 410
    default_code = "api_version_retired"

    def __init__(self, deprecation, label, where):
        message = f"API version {label(deprecation.version)} was retired on " + (
            deprecation.sunset.date().isoformat() + "."
        )
        replacement = deprecation.replacement
        if replacement:
            message += f" Use version {label(replacement)} ({where(replacement)})."
        super().__init__(message)
        # The "details" of the error body (core/exceptions.py).
        self.details = {
            "version": label(deprecation.version),
            "sunset": deprecation.sunset.isoformat(),
            "replacement": label(replacement) if replacement else None,
            "migration_guide": deprecation.link,
        }


def attach_deprecation(request, version, label, where):
    """Put the request's version and its deprecation (or None) on the Django request.

    Called by the versioning class (api/versioning/) once DRF has decided the version, with
    that scheme's ``label`` and ``where``; past the sunset the request stops with a 410.
    """
    django_request = request._request  # the middleware sees Django's request, not DRF's
    django_request.api_version = version
    django_request.api_deprecation = deprecation_for(version)
    deprecation = django_request.api_deprecation
    if deprecation is not None and deprecation.is_past_sunset():
        if describing_schema.get():  # feature: openapi
            return  # feature: openapi
        raise VersionRetired(deprecation, label, where)


class DeprecationMiddleware:
    """Sends the deprecation headers of the version DRF decided, and logs who called it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        deprecation = getattr(request, "api_deprecation", None)
        if deprecation is not None:
            for header, value in deprecation.headers().items():
                if header == "Link" and response.has_header("Link"):
                    value = f"{response['Link']}, {value}"
                response[header] = value
            self.record(request, response, deprecation)
        return response

    def record(self, request, response, deprecation):
        """Who still calls a deprecated version: the team needs names before the sunset."""
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        logger.warning(
            "deprecated API version %s called: %s %s -> %s (user %s)",
            deprecation.version,
            request.method,
            request.path,
            response.status_code,
            user_id,
            extra={
                "api_version": deprecation.version,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "user_id": user_id,
                "user_agent": request.headers.get("User-Agent", "")[:200],
            },
        )
        DEPRECATED_REQUESTS.labels(deprecation.version, str(response.status_code)).inc()  # feature: prometheus
