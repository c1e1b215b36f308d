"""Once per key per window, shared by every worker through the cache.

The state lives in the Django cache (Redis in production), so every worker and server
shares it; while the cache is down, this process's memory stands in, so errors are still
reported (each process then lets its own first one through).
"""

import threading
import time

from django.core.cache import cache

# Until when this process skips the cache, for every OncePerWindow at once: there is one
# cache, so a request whose error goes to several reporting channels waits for a hung
# Redis once, not once per channel.
_cache_down_until = 0.0


def forget_cache_failure():
    """Ask the cache again at the next question, whatever failed before."""
    global _cache_down_until
    _cache_down_until = 0.0


class OncePerWindow:
    """``first_time(key)``: true once per ``window`` seconds; ``count(key)``: a windowed counter."""

    # After a cache failure, skip the cache for this long: an error storm caused by a dead
    # Redis must not also wait out REDIS_TIMEOUT on every error it reports.
    CACHE_RETRY_AFTER = 30

    def __init__(self, prefix, window):
        self.prefix = prefix
        self.window = window
        self._lock = threading.Lock()
        self._seen = {}
        self._counts = {}

    def reset(self):
        """Forget what this process has seen (the shared state lives in the cache)."""
        with self._lock:
            self._seen.clear()
            self._counts.clear()
        forget_cache_failure()

    def first_time(self, key):
        key = f"{self.prefix}:{key}"
        return self._shared_or_local(
            lambda: cache.add(key, 1, timeout=self.window), lambda: self._first_time_here(key)
        )

    def count(self, key):
        """Add one to ``key``'s counter and return it; the counter lasts a window or two."""
        key = f"{self.prefix}:{key}"

        def shared():
            cache.add(key, 0, timeout=self.window * 2)
            return cache.incr(key)

        return self._shared_or_local(shared, lambda: self._count_here(key))

    def _shared_or_local(self, shared, local):
        global _cache_down_until
        if time.monotonic() >= _cache_down_until:
            try:
                return shared()
            except Exception:  # the cache is down: fall back to this process's memory
                _cache_down_until = time.monotonic() + self.CACHE_RETRY_AFTER
        return local()

    def _first_time_here(self, key):
        now = time.monotonic()
        with self._lock:
            self._seen = {k: t for k, t in self._seen.items() if now - t < self.window}
            if key in self._seen:
                return False
            self._seen[key] = now
            return True

    def _count_here(self, key):
        now = time.monotonic()
        with self._lock:
            self._counts = {
                k: (n, t) for k, (n, t) in self._counts.items() if now - t < self.window * 2
            }
            count, started = self._counts.get(key, (0, now))
            self._counts[key] = (count + 1, started)
            return count + 1
