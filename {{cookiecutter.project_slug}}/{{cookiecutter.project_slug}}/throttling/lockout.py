"""What a locked-out login gets: 429, Retry-After and the API's JSON error body.

The same answer whether the username exists or not, and whether the IP or the username
tripped the limit, so the lockout tells an attacker nothing about accounts.
"""

from axes.helpers import get_cool_off

from ..core.exceptions import error_response

LOCKOUT_MESSAGE = "Too many failed login attempts. Try again later."


def lockout_response(request, original_response=None, credentials=None):
    response = error_response(429, "throttled", LOCKOUT_MESSAGE)
    cool_off = get_cool_off(request)
    if cool_off:
        response["Retry-After"] = str(max(1, int(cool_off.total_seconds())))
    return response
