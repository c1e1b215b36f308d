"""WhiteNoise: the app serves its own static files, compressed and cached, CDN-ready.

``collectstatic`` writes hashed names plus gzip and Brotli copies; WhiteNoise picks the
smallest the client accepts. Hashed files are cached for ten years (``immutable``), the
rest for DJANGO_STATIC_MAX_AGE seconds. With DJANGO_STATIC_HOST set, a CDN pulls from
here (its origin) and clients never reach the app for static files. Media files are
never served by WhiteNoise (it serves STATIC_ROOT only). Its middleware and storage are
production's (production.py).
"""

from config.env import env

# A name missing from the manifest raises inside the storage, which logs it and serves
# the unhashed name (core.static_files); collectstatic itself stays strict.
WHITENOISE_MANIFEST_STRICT = True
# Django's hashed names (base.5af66c1b1797.css) never change: cache them forever.
WHITENOISE_IMMUTABLE_FILE_TEST = r"\.[0-9a-f]{12}\.[^/]+$"
WHITENOISE_MAX_AGE = env.positive_int("DJANGO_STATIC_MAX_AGE", default=300)
# Fonts and scripts loaded from a CDN host need CORS; static files are public anyway.
WHITENOISE_ALLOW_ALL_ORIGINS = True
