"""Everything under /api/: unversioned infrastructure first, then the API itself."""

from django.urls import include, path  # feature: not api_versions
from django.urls import path  # feature: api_versions
from rest_framework.authtoken.views import ObtainAuthToken  # feature: not throttling
from rest_framework.settings import api_settings  # feature: not throttling

from ..core import health
from ..throttling.views import obtain_auth_token  # feature: throttling
from .openapi import RedocView, SchemaView, SwaggerView  # feature: openapi
from .versions import version_urlpatterns  # feature: api_versions

# begin feature: not throttling
# DRF's token view pins its own parsers; the project's JSON parser refuses deep nesting.
obtain_auth_token = ObtainAuthToken.as_view(parser_classes=api_settings.DEFAULT_PARSER_CLASSES)

# end feature: not throttling
# Endpoints every version shares; the OpenAPI schema of each version lists them too.  # feature: api_versions
# Endpoints beside the resources themselves (health checks, authentication).  # feature: not api_versions
infrastructure = [
    path("health/", health.health, name="health"),
    path("health/live/", health.live, name="health-live"),
    path("auth/token/", obtain_auth_token, name="auth-token"),
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
