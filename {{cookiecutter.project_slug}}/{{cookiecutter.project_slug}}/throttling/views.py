"""Sign-in endpoints: the per-IP sensitive tier on top of the others, and the lockout."""

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.settings import api_settings

from .lockout import is_locked_out, lockout_response
from .throttles import SensitiveRateThrottle


class ObtainAuthTokenView(ObtainAuthToken):
    """POST username and password, get the API token (DRF's view, rate-limited per IP).

    A locked-out client gets the lockout's 429 with Retry-After before its credentials
    are even looked at, so the right password neither works nor extends the lockout.
    """

    throttle_classes = [SensitiveRateThrottle]
    # DRF's view pins its own parsers; the project's JSON parser refuses deep nesting.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    def post(self, request, *args, **kwargs):
        # Locked out per client IP: no credentials needed to tell.
        if is_locked_out(request, credentials=None):
            return lockout_response(request)
        return super().post(request, *args, **kwargs)


obtain_auth_token = ObtainAuthTokenView.as_view()
