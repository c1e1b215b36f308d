"""Start-up check: a bad API version setting stops every server and manage.py command."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .deprecation import deprecations


@checks.register()
def check_api_version_settings(app_configs, **kwargs):
    """API_VERSIONS, API_DEFAULT_VERSION and API_DEPRECATIONS parse (see deprecation.py)."""
    try:
        deprecations()
    except ImproperlyConfigured as error:
        return [
            checks.Error(
                str(error),
                hint="See config/settings/features/api_versions.py and docs/API_VERSIONING.md.",
                id="api.E001",
            )
        ]
    return []
