"""Django REST framework: limits on what a request may send (REST_FRAMEWORK itself: base.py)."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env

# JSON bodies nested deeper are refused with a 400 before parsing (core.parsers): Python's
# parser recurses once per level, so the ceiling keeps every accepted depth parseable.
MAX_JSON_DEPTH_CEILING = 200
API_MAX_JSON_DEPTH = env.int("API_MAX_JSON_DEPTH", default=32)
if not 1 <= API_MAX_JSON_DEPTH <= MAX_JSON_DEPTH_CEILING:
    raise ImproperlyConfigured(
        f"Environment variable API_MAX_JSON_DEPTH={API_MAX_JSON_DEPTH} must be between 1 and "
        f"{MAX_JSON_DEPTH_CEILING}"
    )
