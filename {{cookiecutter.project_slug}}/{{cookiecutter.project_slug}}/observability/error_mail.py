"""Error e-mails to ADMINS: rate-limited, and with secrets blanked out.

An error storm (a broken dependency, say, failing every request) must not send thousands
of identical mails: RateLimitFilter lets the first error of each kind through and then
stays quiet about it for ``interval`` seconds, and lets at most ``limit`` mails of all
kinds through per interval. "Of each kind" is observability.fingerprint, the rule every
error report shares; the state is shared by every worker (observability.once).
"""

import logging
import re
import time

from django.db.models import QuerySet
from django.views.debug import SafeExceptionReporterFilter

from .fingerprint import record_fingerprint
from .once import OncePerWindow
from .secret_names import SENSITIVE_WORDS


class RateLimitFilter(logging.Filter):
    """One mail per kind of error per interval, and at most ``limit`` mails per interval."""

    def __init__(self, interval=300, limit=10):
        super().__init__()
        self.interval = max(int(interval), 1)
        self.limit = int(limit)
        self.once = OncePerWindow("error-mail", self.interval)

    def reset(self):
        """Forget what this process has seen (the shared state lives in the cache)."""
        self.once.reset()

    def filter(self, record):
        if not self.once.first_time(f"seen:{record_fingerprint(record)}"):
            return False
        window = int(time.time() // self.interval)
        return self.once.count(f"count:{window}") <= self.limit


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

    # Settings add connection URLs and any key to the names that hold secrets.
    hidden_settings = re.compile(
        rf"{SENSITIVE_WORDS}|API|KEY|URL|LOCATION|BROKER|BACKEND", flags=re.IGNORECASE
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
