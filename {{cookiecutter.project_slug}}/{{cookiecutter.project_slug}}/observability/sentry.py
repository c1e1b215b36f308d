"""Sentry: errors and performance traces, started only when SENTRY_DSN is set.

Called from config/settings/features/sentry.py with values read from the environment.
Whatever ``send_default_pii`` says, ``scrub`` removes passwords, tokens, cookies and
authorization headers from every event before it leaves the process.
"""

import contextvars
import hashlib
import re
import threading
import time
from functools import lru_cache
from importlib import import_module, metadata
from pathlib import Path

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.integrations.redis import RedisIntegration

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE = "{{ cookiecutter.project_slug }}"
FILTERED = "[Filtered]"
# Keys whose values never leave the process, wherever they appear in an event. SQL
# parameters too: session keys and API tokens are looked up by value.
SENSITIVE_KEY = re.compile(
    r"pass(word|wd)?|secret|token|api[-_]?key|auth(orization)?(?![a-z])|cookie|session|csrf"
    r"|credential|dsn|signature|^db\.params$",
    re.IGNORECASE,
)
# key=value pairs inside query strings and cookie headers.
SENSITIVE_PAIR = re.compile(
    r"(?P<key>[^=&;\s]*(?:pass|secret|token|api[-_]?key|auth|session|csrf|signature)[^=&;\s]*)="
    r"(?P<value>[^&;\s]*)",
    re.IGNORECASE,
)
# 'key': 'value' pairs inside reprs of dicts (e.g. a task's kwargs in a frame variable).
SENSITIVE_REPR_PAIR = re.compile(
    r"""(?P<key>(?P<q>['"])[^'"]*(?:pass|secret|token|api[-_]?key|auth|session|csrf|signature)"""
    r"""[^'"]*(?P=q)\s*:\s*)(?P<v>['"]).*?(?P=v)""",
    re.IGNORECASE,
)
# Any of these words in a string is the cue to look for pairs in it.
SENSITIVE_WORD = re.compile(r"pass|secret|token|api[-_]?key|auth|session|csrf|signature", re.I)
# Requests that run all the time and say nothing about performance.
UNTRACED_PATHS = ("/api/health/", "/metrics")


def release_from_checkout():
    """The release when SENTRY_RELEASE is unset: the deployed git commit, else the version."""
    head = BASE_DIR / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if ref.startswith("ref: "):
            ref_file = BASE_DIR / ".git" / ref[5:]
            if ref_file.is_file():
                return ref_file.read_text().strip()
            packed = (BASE_DIR / ".git" / "packed-refs").read_text()
            for line in packed.splitlines():
                if line.endswith(" " + ref[5:]):
                    return line.split(" ", 1)[0]
        elif re.fullmatch(r"[0-9a-f]{40}", ref):
            return ref
    except OSError:
        pass
    try:
        return f"{PACKAGE}@{metadata.version(PACKAGE)}"
    except metadata.PackageNotFoundError:
        return None


@lru_cache(maxsize=2048)
def sensitive_key(key):
    return SENSITIVE_KEY.search(key) is not None


def scrub_value(value):
    # The cheap test first: most strings (ids, SQL, paths) name nothing sensitive.
    if isinstance(value, str) and SENSITIVE_WORD.search(value):
        value = SENSITIVE_PAIR.sub(lambda m: f"{m['key']}={FILTERED}", value)
        return SENSITIVE_REPR_PAIR.sub(lambda m: f"{m['key']}'{FILTERED}'", value)
    return value


def scrub_data(data):
    """Recursively replace values under sensitive keys, and sensitive pairs inside strings."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and sensitive_key(key) and value not in (None, ""):
                data[key] = FILTERED
            elif isinstance(value, dict | list | str):
                data[key] = scrub_data(value)
        return data
    if isinstance(data, list):
        for index, item in enumerate(data):
            if isinstance(item, dict | list | str):
                data[index] = scrub_data(item)
        return data
    return scrub_value(data)


def scrub(event, hint=None):
    """before_send / before_send_transaction: the event without secrets."""
    request = event.get("request")
    if isinstance(request, dict):
        if request.get("cookies"):
            request["cookies"] = FILTERED
        headers = request.get("headers")
        if isinstance(headers, dict):
            for header in list(headers):
                if header.lower() in {"authorization", "cookie", "set-cookie", "x-api-key"}:
                    headers[header] = FILTERED
    return scrub_data(event)


class OncePerFingerprint:
    """Let an error through once per ``window`` seconds per fingerprint, across workers.

    Sentry groups repeats server-side, but each one still costs a round trip here and an
    event of the quota there: an outage failing every request would send thousands. The
    fingerprint is the exception type and the frame that raised it (or the log message).
    The shared state is the Django cache (Redis in production); when the cache is down,
    this process's memory. The admin error log, when on, still counts every occurrence.
    """

    # After a cache failure, skip the cache for this long: while Redis hangs, every event
    # would otherwise wait out REDIS_TIMEOUT again (the error mails do the same).
    CACHE_RETRY_AFTER = 30

    def __init__(self, window):
        self.window = window
        self.lock = threading.Lock()
        self.local = {}
        self.cache_down_until = 0.0

    @staticmethod
    def fingerprint(event):
        values = (event.get("exception") or {}).get("values") or []
        if values:
            last = values[-1]
            frames = (last.get("stacktrace") or {}).get("frames") or [{}]
            parts = [
                last.get("type"),
                last.get("module"),
                frames[-1].get("filename"),
                frames[-1].get("lineno"),
            ]
        else:
            logentry = event.get("logentry") or {}
            parts = [event.get("logger"), logentry.get("message") or event.get("message")]
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]

    def first_time(self, event):
        if self.window <= 0 or event.get("type") == "transaction":
            return True
        key = f"sentry-sent:{self.fingerprint(event)}"
        if time.monotonic() >= self.cache_down_until:
            try:
                from django.core.cache import cache

                return cache.add(key, 1, timeout=self.window)
            except Exception:  # the cache is down: fall back to this process's memory
                self.cache_down_until = time.monotonic() + self.CACHE_RETRY_AFTER
        now = time.monotonic()
        with self.lock:
            self.local = {k: t for k, t in self.local.items() if now - t < self.window}
            if key in self.local:
                return False
            self.local[key] = now
            return True


def before_send(dedupe_window):
    once = OncePerFingerprint(dedupe_window)

    def hook(event, hint=None):
        if not once.first_time(event):
            return None
        return scrub(use_the_real_client_ip(event), hint)

    return hook


def before_send_transaction(event, hint=None):
    return scrub(use_the_real_client_ip(event), hint)


# The client of the request being served, as core.client_ip sees it (ClientIpMiddleware).
# Not reset when the response leaves the middleware: the request's transaction is sent
# after that, and the next request on this thread or task sets its own. Applied in the
# before_send hooks, after sentry-sdk's own event processors have filled in the fields.
request_client_ip = contextvars.ContextVar("request_client_ip", default=None)


def use_the_real_client_ip(event):
    """Put the client's real address where Sentry shows one (errors and transactions).

    sentry-sdk takes the first X-Forwarded-For entry, which any client can write. Only
    fields already present are replaced, so without personal data nothing is added.
    """
    ip = request_client_ip.get()
    if ip is None:
        return event
    user = event.get("user")
    if isinstance(user, dict) and "ip_address" in user:
        user["ip_address"] = ip
    environ = (event.get("request") or {}).get("env")
    if isinstance(environ, dict) and "REMOTE_ADDR" in environ:
        environ["REMOTE_ADDR"] = ip
    return event


class ClientIpMiddleware:
    """Events of this request name the client as core.client_ip sees it (TRUSTED_PROXIES)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.client_ip = import_module(f"{PACKAGE}.core.client_ip").client_ip

    def __call__(self, request):
        request_client_ip.set(self.client_ip(request))
        return self.get_response(request)


class TracesBudget:
    """At most about ``per_second`` traced transactions a second in this process.

    Below the cap the configured rate holds. Above it, the rate offered to Sentry falls to
    cap / requests per second (counted over the last second), so a traffic spike costs no
    more tracing than the cap. Each transaction carries the rate it was sampled at, which
    Sentry uses to extrapolate its counts. 0 means no cap.
    """

    def __init__(self, per_second, clock=time.monotonic):
        self.per_second = per_second
        self.clock = clock
        self.lock = threading.Lock()
        self.window_start = clock()
        self.requests_in_window = 0
        self.requests_per_second = 0.0

    def rate(self, rate):
        if self.per_second <= 0:
            return rate
        now = self.clock()
        with self.lock:
            elapsed = now - self.window_start
            if elapsed >= 1:
                self.requests_per_second = self.requests_in_window / elapsed
                self.window_start, self.requests_in_window = now, 0
            self.requests_in_window += 1
            requests_per_second = self.requests_per_second
        if requests_per_second * rate <= self.per_second:
            return rate
        return self.per_second / requests_per_second


def traces_sampler(rate, max_per_second=0, untraced_paths=UNTRACED_PATHS):
    """Sample requests at ``rate`` (capped by TracesBudget), never probes, scrapes or static files."""
    budget = TracesBudget(max_per_second)
    untraced_paths = tuple(prefix for prefix in untraced_paths if prefix)  # "" would match all

    def sampler(context):
        environ = context.get("wsgi_environ") or {}
        path = environ.get("PATH_INFO") or (context.get("asgi_scope") or {}).get("path", "")
        if path.startswith(untraced_paths):
            return 0.0
        parent = context.get("parent_sampled")
        if parent is not None:
            return float(parent)
        return budget.rate(rate)

    return sampler


def init_sentry(
    dsn,
    *,
    environment,
    release,
    traces_sample_rate,
    profiles_sample_rate,
    traces_max_per_second=0,
    untraced_paths=UNTRACED_PATHS,
    send_default_pii,
    dedupe_window=60,
    integrations=(),
    **options,
):
    """``options``: more sentry_sdk.init() arguments (the tests pass a transport)."""
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or release_from_checkout(),
        integrations=[
            # A span per signal receiver costs more per request than everything else here
            # together (measured in benchmarks/observability.py); view and SQL spans stay.
            DjangoIntegration(signals_spans=False),
            # ERROR records become events; INFO and above become breadcrumbs.
            LoggingIntegration(level=20, event_level=40),
            RedisIntegration(),
            *integrations,
        ],
        traces_sampler=traces_sampler(traces_sample_rate, traces_max_per_second, untraced_paths),
        profiles_sample_rate=profiles_sample_rate or None,  # 0: no profiler at all
        # Personal data (users, IP addresses, cookies...): sentry-sdk's own defaults when
        # off, everything when on ("data_collection" supersedes send_default_pii).
        data_collection={} if send_default_pii else None,
        before_send=before_send(dedupe_window),
        before_send_transaction=before_send_transaction,
        max_request_body_size="medium",
        **options,
    )
