"""Tiered rate limits (DRF throttles) and the admin login lockout (django-axes).

Tiers: anonymous clients per IP, signed-in users per account (each with a short "burst"
window and a long "sustained" one), per-endpoint scopes (a view's ``throttle_scope``),
and a strict per-IP "sensitive" tier for login, token and password endpoints. Counters
live in the cache, so they hold for the whole deployment only when the cache is shared:
production wants REDIS_URL (a system check warns otherwise). docs/SECURITY.md explains
how to tune each tier.
"""

import math
import re
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from config.env import env

RATE_PATTERN = re.compile(r"^[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)$")
PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _checked_rate(variable, value):
    if not RATE_PATTERN.match(value):
        raise ImproperlyConfigured(
            f"Environment variable {variable}={value!r} must be a rate like 100/hour "
            "(N/second, N/minute, N/hour or N/day; s, m, h, d also work)"
        )
    return value


def _rate(variable, default):
    # An empty value (as in .env.example) means the default.
    return _checked_rate(variable, env.str(variable, default="") or default)


def _parsed(rate):
    count, period = rate.split("/")
    return int(count), PERIOD_SECONDS[period[0]]


def _burst(rate):
    """One minute at ten times the sustained average: a spike passes, a flood does not."""
    count, seconds = _parsed(rate)
    return f"{max(1, math.ceil(count * 60 * 10 / seconds))}/minute"


THROTTLE_ANON_RATE = _rate("THROTTLE_ANON_RATE", "{{ cookiecutter.anon_throttle_rate }}")
THROTTLE_USER_RATE = _rate("THROTTLE_USER_RATE", "{{ cookiecutter.user_throttle_rate }}")
THROTTLE_SENSITIVE_RATE = _rate("THROTTLE_SENSITIVE_RATE", "{{ cookiecutter.sensitive_throttle_rate }}")

# Per-endpoint rates for views that set ``throttle_scope``; THROTTLE_SCOPE_RATES overrides
# or adds some per environment, e.g. "items=120/minute,exports=10/hour".
THROTTLE_SCOPE_RATES = {
    "items": "600/hour",
}
for _scope, _value in env.dict("THROTTLE_SCOPE_RATES", default={}).items():
    THROTTLE_SCOPE_RATES[_scope] = _checked_rate(f"THROTTLE_SCOPE_RATES ({_scope})", _value)

# REST_FRAMEWORK's DEFAULT_THROTTLE_RATES (its throttle classes: base.py).
THROTTLE_RATES = {
    "anon": THROTTLE_ANON_RATE,
    "anon_burst": _rate("THROTTLE_ANON_BURST_RATE", _burst(THROTTLE_ANON_RATE)),
    "user": THROTTLE_USER_RATE,
    "user_burst": _rate("THROTTLE_USER_BURST_RATE", _burst(THROTTLE_USER_RATE)),
    "sensitive": THROTTLE_SENSITIVE_RATE,
    **THROTTLE_SCOPE_RATES,
}
# The /api/auth/ endpoints (accounts/endpoints.py): counted per IP before any credentials
# are looked at, and a locked-out client's sign-in is refused before they are validated.
AUTH_ENDPOINT_THROTTLE_CLASSES = [
    "{{ cookiecutter.project_slug }}.throttling.throttles.SensitiveRateThrottle",
]
SIGN_IN_LOCKOUT_CALLABLE = "{{ cookiecutter.project_slug }}.throttling.lockout.sign_in_lockout"
# Which cache holds the counters (the system check warns when it is per-process).
THROTTLE_CACHE = "default"

# Sign-in (the admin login, the API token endpoint): an address is locked out after as
# many failures as the sensitive rate allows, for that rate's period (or
# LOGIN_LOCKOUT_SECONDS). Keyed by the client IP (every username it tries counts), never
# by the username alone: an attacker elsewhere could then lock the owner out at will.
# (Its authentication backend and middleware: base.py.)
_failures, _period = _parsed(THROTTLE_SENSITIVE_RATE)
AXES_FAILURE_LIMIT = _failures
_lockout_seconds = env.str("LOGIN_LOCKOUT_SECONDS", default="") or str(_period)
if not _lockout_seconds.isdigit() or int(_lockout_seconds) < 1:
    raise ImproperlyConfigured(
        f"Environment variable LOGIN_LOCKOUT_SECONDS={_lockout_seconds!r} must be a whole "
        "number of seconds, at least 1"
    )
AXES_COOLOFF_TIME = timedelta(seconds=int(_lockout_seconds))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
# A lockout ends on schedule: attempts refused during it (even with the right password)
# are not failures that would push the end further away.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A successful sign-in does not wipe the address's failures: with an account of its own,
# an attacker could otherwise guess other accounts' passwords without limit.
AXES_RESET_ON_SUCCESS = False
AXES_USERNAME_FORM_FIELD = "username"
AXES_CLIENT_IP_CALLABLE = "{{ cookiecutter.project_slug }}.core.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "{{ cookiecutter.project_slug }}.throttling.lockout.lockout_response"
