"""OpenAPI 3 schema (drf-spectacular) at /api/schema/, Swagger UI at /api/docs/ and ReDoc at
/api/redoc/, with their assets served from drf-spectacular-sidecar (no CDN).

The schema stays public so that clients can generate code from it; the docs pages are
public outside production and staff-only in production unless API_DOCS_PUBLIC=true.
"""

from config.env import ENVIRONMENT, env

API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=ENVIRONMENT != "production")

SPECTACULAR_SETTINGS = {
    "TITLE": "{{ cookiecutter.project_name }} API",
    "DESCRIPTION": "{{ cookiecutter.description }}",
    "VERSION": "0.1.0",
    # The schema describes the API, not itself.
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Separate request and response components: read-only fields stay out of request bodies.
    "COMPONENT_SPLIT_REQUEST": True,
    # Tags from the first path segment after /api/ (and after the version, if any).
    "SCHEMA_PATH_PREFIX": r"/api/(v[0-9]+/)?",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema per version: ?version=v2 on /api/schema/ and on the docs pages.
    "DEFAULT_GENERATOR_CLASS": "{{ cookiecutter.project_slug }}.api.schema.SchemaGenerator",  # feature: api_versions
}
