"""Sensitive endpoints, with the per-IP sensitive tier on top of the others."""

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.settings import api_settings

from .throttles import SensitiveRateThrottle


class ObtainAuthTokenView(ObtainAuthToken):
    """POST username and password, get the API token (DRF's view, rate-limited per IP)."""

    throttle_classes = [SensitiveRateThrottle]
    # DRF's view pins its own parsers; the project's JSON parser refuses deep nesting.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES


obtain_auth_token = ObtainAuthTokenView.as_view()
