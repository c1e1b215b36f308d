"""Sensitive endpoints, with the per-IP sensitive tier on top of the others."""

from rest_framework.authtoken.views import ObtainAuthToken

from .throttles import SensitiveRateThrottle


class ObtainAuthTokenView(ObtainAuthToken):
    """POST username and password, get the API token (DRF's view, rate-limited per IP)."""

    throttle_classes = [SensitiveRateThrottle]


obtain_auth_token = ObtainAuthTokenView.as_view()
