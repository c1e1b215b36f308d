"""Error e-mails to ADMINS: rate-limited, and with secrets blanked out.

An error storm (a broken dependency, say, failing every request) must not send thousands
of identical mails: RateLimitFilter lets the first error of each kind through and then
stays quiet about it for ``interval`` seconds, and lets at most ``limit`` mails of all
kinds through per interval. The state lives in the cache, so with Redis every worker and
server shares it; if the cache is down it falls back to this process's memory.
"""

import hashlib
import logging
import re
import threading
import time
import traceback

from django.core.cache import cache
from django.db.models import QuerySet
from django.views.debug import SafeExceptionReporterFilter

KEY_PREFIX = "error-mail"


def fingerprint(record):
    """What makes two errors 'the same': the exception type and where it was raised."""
    # Imported here: this module is loaded while logging is configured, before apps are.
    from ..core.database_outage import is_database_unreachable

    parts = [record.name]
    if record.exc_info and is_database_unreachable(record.exc_info[1]):
        # However a request met the outage (a refused connection, a broken pooled one, a
        # released pool wait), it is one error: the database is down.
        parts.append("database-unreachable")
    elif record.exc_info and record.exc_info[0] is not None:
        exc_type, _, tb = record.exc_info
        parts.append(f"{exc_type.__module__}.{exc_type.__qualname__}")
        frames = traceback.extract_tb(tb)
        if frames:
            parts.append(f"{frames[-1].filename}:{frames[-1].lineno}")
    else:
        parts.extend([f"{record.pathname}:{record.lineno}", str(record.msg)])
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


class RateLimitFilter(logging.Filter):
    """One mail per kind of error per interval, and at most ``limit`` mails per interval."""

    # After a cache failure, skip the cache for this long: an error storm caused by a dead
    # Redis must not also wait for Redis timeouts on every error it logs.
    CACHE_RETRY_AFTER = 30

    def __init__(self, interval=300, limit=10):
        super().__init__()
        self.interval = max(int(interval), 1)
        self.limit = int(limit)
        self._lock = threading.Lock()
        self._seen = {}
        self._cache_down_until = 0.0

    def reset(self):
        """Forget what this process has seen (the shared state lives in the cache)."""
        with self._lock:
            self._seen.clear()
            self._cache_down_until = 0.0

    def filter(self, record):
        key = fingerprint(record)
        window = int(time.time() // self.interval)
        if time.monotonic() >= self._cache_down_until:
            try:
                return self._allow_shared(key, window)
            except Exception:  # the cache is down: errors must still be reported
                self._cache_down_until = time.monotonic() + self.CACHE_RETRY_AFTER
        return self._allow_local(key, window)

    def _allow_shared(self, key, window):
        if not cache.add(f"{KEY_PREFIX}:seen:{key}", 1, timeout=self.interval):
            return False
        counter = f"{KEY_PREFIX}:count:{window}"
        cache.add(counter, 0, timeout=self.interval * 2)
        return cache.incr(counter) <= self.limit

    def _allow_local(self, key, window):
        now = time.monotonic()
        with self._lock:
            self._seen = {k: t for k, t in self._seen.items() if now - t < self.interval}
            if key in self._seen:
                return False
            self._seen[key] = now
            return len(self._seen) <= self.limit


def unevaluated_queryset(queryset):
    if queryset._result_cache is not None:  # already fetched: printing it costs nothing
        return queryset
    return f"<unevaluated {type(queryset).__name__} of {queryset.model.__name__}>"


class SafeReporterFilter(SafeExceptionReporterFilter):
    """Blank out more than Django does before an error report leaves the server.

    Django hides settings named like KEY, SECRET, TOKEN or PASS; connection URLs
    (DATABASE_URL, REDIS_URL, a broker URL, a DSN) carry passwords too. Cookies and any
    POST field named like a secret are always hidden, not only in decorated views.
    """

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|COOKIE|CSRF|SESSION|DSN|URL|LOCATION|BROKER|BACKEND",
        flags=re.IGNORECASE,
    )

    def get_safe_cookies(self, request):
        return dict.fromkeys(getattr(request, "COOKIES", {}), self.cleansed_substitute)

    def get_traceback_frame_variables(self, request, tb_frame):
        """A QuerySet that was never run stays unrun: printing it would query the database,
        which may be the very thing that failed (and would hold the request meanwhile)."""
        return [
            (name, unevaluated_queryset(value) if isinstance(value, QuerySet) else value)
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]

    def get_post_parameters(self, request):
        parameters = super().get_post_parameters(request)
        if not parameters:
            return parameters
        cleansed = parameters.copy()
        for name in cleansed:
            if self.hidden_settings.search(name):
                cleansed[name] = self.cleansed_substitute
        return cleansed
