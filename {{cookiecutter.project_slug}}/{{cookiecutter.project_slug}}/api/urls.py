"""Everything under /api/: unversioned infrastructure first, then the API itself."""

from django.urls import URLPattern, URLResolver, include, path

from ..core import health
from .openapi import RedocView, SchemaView, SwaggerView  # feature: openapi
from .versioning import version_urlpatterns  # feature: api_versions

# Endpoints every version shares; the OpenAPI schema of each version lists them too.  # feature: api_versions
# Endpoints beside the resources themselves (health checks, authentication).  # feature: not api_versions
# The health checks are plain Django views for probes, not API clients: they stay out of the
# OpenAPI schema (docs/DEPLOYMENT.md describes them).  # feature: openapi
infrastructure: list[URLPattern | URLResolver] = [
    path("health/", health.health, name="health"),
    path("health/live/", health.live, name="health-live"),
    path("auth/", include("{{ cookiecutter.project_slug }}.accounts.urls")),
    # begin feature: openapi
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(), name="swagger-ui"),
    path("redoc/", RedocView.as_view(), name="redoc"),
    # end feature: openapi
]

urlpatterns = [
    *infrastructure,
    # begin feature: api_versions
    # Every version in settings.API_VERSIONS, each from its own package (api/v1/urls.py, ...).
    *version_urlpatterns(),
    # end feature: api_versions
    path("", include("{{ cookiecutter.project_slug }}.api.resources.urls")),  # feature: not api_versions
]
