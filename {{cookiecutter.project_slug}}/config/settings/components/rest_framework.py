"""Django REST framework defaults a production API wants."""

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

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",  # feature: jwt
        "knox.auth.TokenAuthentication",  # feature: knox
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "{{ cookiecutter.project_slug }}.core.pagination.PageNumberPagination",
    "PAGE_SIZE": env.positive_int("API_PAGE_SIZE", default=20),
    # JSON bodies only: one request format for every client (and the OpenAPI schema), and
    # no form post from another site reaches a view. An upload view opts back into
    # multipart with its own parser_classes (docs/SECURITY.md).
    "DEFAULT_PARSER_CLASSES": ["{{ cookiecutter.project_slug }}.core.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "{{ cookiecutter.project_slug }}.core.exceptions.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# The browsable API is a development convenience; production answers JSON only unless asked.
if not env.bool("API_BROWSABLE", default=ENVIRONMENT != "production"):
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = ["rest_framework.renderers.JSONRenderer"]
