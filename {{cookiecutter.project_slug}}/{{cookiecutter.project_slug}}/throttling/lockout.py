"""What a locked-out sign-in gets: 429, Retry-After and the API's JSON error body.

The same answer whether the username exists or not, so the lockout tells an attacker
nothing about accounts. Retry-After is the time left until the lockout ends on its own.
"""

import math

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.utils import timezone

from ..core.exceptions import error_response

LOCKOUT_MESSAGE = "Too many failed login attempts. Try again later."


def is_locked_out(request, credentials):
    """Whether this client may not try to sign in right now (before anything is checked)."""
    AxesProxyHandler.update_request(request)
    # Keyed by the client IP alone: without credentials, name no username rather than let
    # django-axes read one from the body, which need not be a JSON object.
    credentials = credentials or {settings.AXES_USERNAME_FORM_FIELD: None}
    return AxesProxyHandler.is_locked(request, credentials)


def sign_in_lockout(request):
    """The lockout's answer when this client may not try to sign in now, else None.

    Called by the sign-in view before credentials are validated (SIGN_IN_LOCKOUT_CALLABLE).
    """
    if is_locked_out(request, credentials=None):
        return lockout_response(request)
    return None


def unlocked_at(attempts, limit, cool_off):
    """When enough of these failures have expired that fewer than ``limit`` remain.

    Each row holds the failures of one username/IP pair and expires as a whole,
    ``cool_off`` after its latest failure.
    """
    rows = sorted(attempts.values_list("attempt_time", "failures_since_start"))
    remaining = sum(failures for _, failures in rows)
    end = None
    for attempt_time, failures in rows:
        if remaining < limit:
            break
        remaining -= failures
        end = attempt_time + cool_off
    return end


def seconds_until_unlocked(request, credentials=None):
    cool_off = get_cool_off(request)
    if not cool_off:
        return None
    handler = AxesProxyHandler.get_implementation()
    limit = get_failure_limit(request, credentials)
    ends = [
        end
        for attempts in handler.get_user_attempts(request, credentials)
        if (end := unlocked_at(attempts, limit, cool_off)) is not None
    ]
    if not ends:
        return int(cool_off.total_seconds())
    return math.ceil((max(ends) - timezone.now()).total_seconds())


def lockout_response(request, original_response=None, credentials=None):
    response = error_response(429, "throttled", LOCKOUT_MESSAGE)
    seconds = seconds_until_unlocked(request, credentials)
    if seconds is not None:
        response["Retry-After"] = str(max(1, seconds))
    return response
