"""Rate limits whose counters hold for the whole deployment.

DRF's own throttles read a list from the cache and write it back, so concurrent workers
can overwrite each other's counts. These count with one atomic cache increment per
request in fixed windows (Redis INCR in production), so N workers allow exactly the rate.

When the cache is unreachable, the general tiers let requests through (an outage of the
cache must not become an outage of the API; the health check reports it), while the
sensitive tier refuses them: a password endpoint without a limit is an open door. A
request asks the cache at most once after a failure (the other tiers decide at once), so
a hung Redis costs it one REDIS_TIMEOUT, not one per tier.
"""

import logging

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError
from rest_framework import throttling

from ..core.client_ip import client_ip

logger = logging.getLogger(__name__)
# Set on a request whose rate-limit counter could not be reached.
CACHE_FAILED_FLAG = "_rate_limit_cache_failed"


class SharedRateThrottle(throttling.SimpleRateThrottle):
    fail_open = True
    # Set by SimpleRateThrottle.__init__ from the rate (parse_rate); its stubs leave them
    # out. Read only once a rate is known.
    num_requests: int
    duration: int

    def __init__(self) -> None:
        super().__init__()
        self.cache = caches[getattr(settings, "THROTTLE_CACHE", "default")]

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        if getattr(request, CACHE_FAILED_FLAG, False):
            return self.cache_unavailable()
        now = int(self.timer())
        window_start = now - now % self.duration
        self.retry_after = window_start + self.duration - now
        try:
            count = self.increment(f"{self.key}_{window_start}")
        except (RedisError, OSError):
            logger.exception("Rate-limit cache unavailable (scope %s)", self.scope)
            setattr(request, CACHE_FAILED_FLAG, True)
            return self.cache_unavailable()
        return count <= self.num_requests

    def cache_unavailable(self):
        """Fail open (general tiers) or closed (sensitive tier); a refusal says when to retry."""
        self.retry_after = self.duration
        return self.fail_open

    def increment(self, key):
        if isinstance(self.cache, RedisCache):
            # One round trip, one MULTI/EXEC: create the window's counter if new (with its
            # expiry), then INCR it; Redis runs both atomically.
            full_key = self.cache.make_and_validate_key(key)
            client = self.cache._cache.get_client(full_key, write=True)
            pipeline = client.pipeline(transaction=True)
            pipeline.set(full_key, 0, ex=self.duration + 1, nx=True)
            pipeline.incr(full_key)
            return pipeline.execute()[1]
        # Other caches: add() is a no-op when the key exists; incr() is atomic (in one
        # process). The retry covers a key that expired between the two calls.
        for _ in range(2):
            self.cache.add(key, 0, timeout=self.duration + 1)
            try:
                return self.cache.incr(key)
            except ValueError:
                continue
        raise OSError(f"could not increment the rate-limit counter {key}")

    def wait(self):
        return self.retry_after

    def get_ident(self, request):
        """Per-IP tiers count the client our proxies saw (TRUSTED_PROXIES), not DRF's guess."""
        return client_ip(request)


class AnonSustainedRateThrottle(SharedRateThrottle):
    """Anonymous clients, per IP."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AnonBurstRateThrottle(AnonSustainedRateThrottle):
    scope = "anon_burst"


class UserSustainedRateThrottle(SharedRateThrottle):
    """Signed-in users, per account (whatever their IP); anonymous clients are not counted."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class UserBurstRateThrottle(UserSustainedRateThrottle):
    scope = "user_burst"


class ScopedRateThrottle(throttling.ScopedRateThrottle, SharedRateThrottle):
    """Views that set ``throttle_scope`` get that scope's own rate, per user or per IP."""


class SensitiveRateThrottle(SharedRateThrottle):
    """Login, token and password endpoints: per IP, signed in or not; refuses when unsure."""

    scope = "sensitive"
    fail_open = False

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
