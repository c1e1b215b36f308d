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

import functools
import hashlib
import logging

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import NoScriptError, RedisError
from rest_framework import throttling

from ..core.client_ip import client_ip
from ..core.django_compat import redis_client_class_and_pool

logger = logging.getLogger(__name__)
# Set on a request whose rate-limit counter could not be reached.
CACHE_FAILED_FLAG = "_rate_limit_cache_failed"
# Set on a request once its counters are incremented: {counter key: count}.
COUNTS_ATTRIBUTE = "_rate_limit_counts"
INCREMENT_EVERY_COUNTER = """
local counts = {}
for i, key in ipairs(KEYS) do
    redis.call("SET", key, 0, "EX", ARGV[i], "NX")
    counts[i] = redis.call("INCR", key)
end
return counts
"""
INCREMENT_EVERY_COUNTER_SHA = hashlib.sha1(
    INCREMENT_EVERY_COUNTER.encode(), usedforsecurity=False
).hexdigest()


def run_increment_script(client, keys, seconds):
    """[count per key]: EVALSHA, loading the script first on a server that lacks it."""
    try:
        return client.evalsha(INCREMENT_EVERY_COUNTER_SHA, len(keys), *keys, *seconds)
    except NoScriptError:
        client.script_load(INCREMENT_EVERY_COUNTER)
        return client.evalsha(INCREMENT_EVERY_COUNTER_SHA, len(keys), *keys, *seconds)


def writer(cache):
    """The cache's Redis client for writes, built once per connection pool.

    Django's get_client() builds a new client per call, which copies redis-py's table of
    response callbacks: more CPU than the rest of the throttle together.
    """
    return client_for_pool(*redis_client_class_and_pool(cache, write=True))


@functools.cache
def client_for_pool(client_class, pool):
    return client_class(connection_pool=pool)


class SharedRateThrottle(throttling.SimpleRateThrottle):
    fail_open = True
    # True for a tier checked before the request's credentials are (the sensitive tier).
    asked_before_authentication = False
    # Set by SimpleRateThrottle.__init__ from the rate (parse_rate); its stubs leave them
    # out. Read only once a rate is known.
    num_requests: int
    duration: int

    @functools.cached_property
    def counter_cache(self):
        # Looked up by the one tier that counts a request, not by every tier DRF builds.
        return caches[getattr(settings, "THROTTLE_CACHE", "default")]

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
        counter = f"{self.key}_{window_start}"
        counts = getattr(request, COUNTS_ATTRIBUTE, None)
        if counts is None:
            counts = {}
            setattr(request, COUNTS_ATTRIBUTE, counts)
        try:
            if counter not in counts:
                # The first tier asked counts every tier of this view not yet counted, at once.
                counts.update(self.count_tiers(request, view, now, counter, counts))
        except (RedisError, OSError):
            logger.exception("Rate-limit cache unavailable (scope %s)", self.scope)
            setattr(request, CACHE_FAILED_FLAG, True)
            return self.cache_unavailable()
        return counts[counter] <= self.num_requests

    def count_tiers(self, request, view, now, counter, counted):
        """{counter: count} for this tier and every other uncounted tier of the view that applies."""
        counters = {counter: self.duration}
        if self.asked_before_authentication:
            # Another tier's key would authenticate the request from inside this throttle
            # (a bad token would then never be counted here): those tiers count afterwards.
            return self.increment(counters)
        for tier in view.get_throttles():
            if isinstance(tier, SharedRateThrottle) and tier.applies_to(view):
                key = tier.get_cache_key(request, view)
                if key is not None:
                    tier_counter = f"{key}_{now - now % tier.duration}"
                    if tier_counter not in counted:
                        counters.setdefault(tier_counter, tier.duration)
        return self.increment(counters)

    def applies_to(self, view):
        """Whether this tier has a rate for this view (set before get_cache_key is asked)."""
        return self.rate is not None

    def cache_unavailable(self):
        """Fail open (general tiers) or closed (sensitive tier); a refusal says when to retry."""
        self.retry_after = self.duration
        return self.fail_open

    def increment(self, counters):
        """Add one to each window counter ({key: window seconds}); {key: its new count}."""
        if isinstance(self.counter_cache, RedisCache):
            # One round trip for every tier: a Lua script creates each window's counter if
            # new (with its expiry) and increments it, atomically. Writes all go to the
            # first server, so every key lives where the script runs.
            full_keys = [self.counter_cache.make_and_validate_key(key) for key in counters]
            client = writer(self.counter_cache)
            counts = run_increment_script(
                client, full_keys, [seconds + 1 for seconds in counters.values()]
            )
            return dict(zip(counters, counts, strict=True))
        # Other caches: add() is a no-op when the key exists; incr() is atomic (in one
        # process). The retry covers a key that expired between the two calls.
        return {key: self.increment_one(key, seconds) for key, seconds in counters.items()}

    def increment_one(self, key, seconds):
        for _ in range(2):
            self.counter_cache.add(key, 0, timeout=seconds + 1)
            try:
                return self.counter_cache.incr(key)
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

    def applies_to(self, view):
        # What DRF's allow_request does before counting: the view's scope picks the rate.
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return False
        self.rate = self.get_rate()
        num_requests, duration = self.parse_rate(self.rate)
        if num_requests is None or duration is None:  # no rate: DRF lets such a request through
            return False
        self.num_requests, self.duration = num_requests, duration
        return True


class SensitiveRateThrottle(SharedRateThrottle):
    """Login, token and password endpoints: per IP, signed in or not; refuses when unsure."""

    scope = "sensitive"
    fail_open = False
    asked_before_authentication = True

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
