"""Everything under /api/: unversioned infrastructure first, then each API version."""

from django.urls import include, path, re_path
from rest_framework.authtoken.views import obtain_auth_token

from ..core import health

urlpatterns = [
    path("health/", health.health, name="health"),
    path("health/live/", health.live, name="health-live"),
    path("auth/token/", obtain_auth_token, name="auth-token"),
    re_path(r"^(?P<version>v1)/", include("{{ cookiecutter.project_slug }}.api.v1.urls")),
]
