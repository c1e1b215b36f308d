"""Static files: a missing file is a clear error at deploy time, never a 500 at run time.

``collectstatic`` fails, naming the file, when a stylesheet refers to a file that does
not exist. A server started before ``collectstatic`` ran refuses to start (ManifestGuard).
At run time, a name missing from the manifest is logged as an error and
served unhashed, so one bad reference costs one asset, not the whole page.
"""

import logging
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from whitenoise.storage import CompressedManifestStaticFilesStorage  # feature: whitenoise

logger = logging.getLogger(__name__)

MANIFEST_NAME = "staticfiles.json"


class LenientManifestMixin:
    """Strict while collecting; at run time a missing entry is logged, not raised."""

    manifest_strict = True

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError as exc:
            logger.error("static file %r is not in the manifest (%s)", name, exc)
            return name


class ManifestStorage(LenientManifestMixin, ManifestStaticFilesStorage):
    """Content-hashed names (``base.5af66c1b1797.css``) that can be cached forever."""
# begin feature: whitenoise


class CompressedManifestStorage(LenientManifestMixin, CompressedManifestStaticFilesStorage):
    """Hashed names plus gzip and Brotli copies that WhiteNoise negotiates per request."""
# end feature: whitenoise


class ManifestGuard:
    """Refuse to start a production server whose STATIC_ROOT has no manifest."""

    def __init__(self, get_response):
        manifest = Path(settings.STATIC_ROOT) / MANIFEST_NAME
        if not manifest.is_file():
            raise ImproperlyConfigured(
                f"{manifest} does not exist: run 'python manage.py collectstatic --noinput' "
                "before starting the server (or set DJANGO_STATIC_REQUIRE_MANIFEST=false "
                "when the static files live elsewhere)"
            )
        raise MiddlewareNotUsed
