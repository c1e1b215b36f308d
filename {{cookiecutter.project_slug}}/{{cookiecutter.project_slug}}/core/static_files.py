"""Static files: a missing file is a clear error at deploy time, never a 500 at run time.

``collectstatic`` fails, naming the file, when a stylesheet refers to a file that does
not exist. A server started before ``collectstatic`` ran says so at start-up, or refuses
to start (core/checks.py).
At run time, a name missing from the manifest is logged as an error and
served unhashed, so one bad reference costs one asset, not the whole page.
"""

import logging

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage  # feature: whitenoise

logger = logging.getLogger(__name__)

MANIFEST_NAME = "staticfiles.json"


class ManifestStorage(ManifestStaticFilesStorage):
    """Content-hashed names (``base.5af66c1b1797.css``) that can be cached forever.

    Strict while collecting; at run time a missing entry is logged, not raised.
    """

    manifest_strict = True

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError as exc:
            logger.error("static file %r is not in the manifest (%s)", name, exc)
            return name
# begin feature: whitenoise


class CompressedManifestStorage(ManifestStorage, CompressedManifestStaticFilesStorage):
    """Hashed names plus gzip and Brotli copies that WhiteNoise negotiates per request."""
# end feature: whitenoise
