"""Sentry: errors and performance traces, started only when SENTRY_DSN is set.

Called from config/settings/features/sentry.py with values read from the environment.
Whatever ``send_default_pii`` says, ``scrub`` removes passwords, tokens, cookies and
authorization headers from every event before it leaves the process. Which names hold
secrets, which errors are repeats and which paths are never traced are the rules every
error report shares (secret_names, fingerprint, quiet_paths in this package).
"""

import contextvars
import re
import threading
import time
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration, ignore_logger
from sentry_sdk.integrations.redis import RedisIntegration

from .fingerprint import error_fingerprint, record_fingerprint
from .once import OncePerWindow
from .quiet_paths import QUIET_PATHS
from .secret_names import SENSITIVE_NAME, SENSITIVE_WORDS

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PACKAGE = "{{ cookiecutter.project_slug }}"
FILTERED = "[Filtered]"
# Keys whose values never leave the process, wherever they appear in an event. SQL
# parameters too: session keys and API tokens are looked up by value.
SENSITIVE_KEY = re.compile(rf"{SENSITIVE_WORDS}|^db\.params$", re.IGNORECASE)
# key=value pairs inside query strings and cookie headers.
SENSITIVE_PAIR = re.compile(
    rf"(?P<key>[^=&;\s]*(?:{SENSITIVE_WORDS})[^=&;\s]*)=(?P<value>[^&;\s]*)", re.IGNORECASE
)
# 'key': 'value' pairs inside reprs of dicts (e.g. a task's kwargs in a frame variable).
SENSITIVE_REPR_PAIR = re.compile(
    rf"""(?P<key>(?P<q>['"])[^'"]*(?:{SENSITIVE_WORDS})[^'"]*(?P=q)\s*:\s*)(?P<v>['"]).*?(?P=v)""",
    re.IGNORECASE,
)


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
    # Any word of a secret's name in a string is the cue to look for pairs in it.
    if isinstance(value, str) and SENSITIVE_NAME.search(value):
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


def event_fingerprint(event, hint):
    """The shared fingerprint of the error an event reports (its exception, else its log line)."""
    hint = hint or {}
    record = hint.get("log_record")
    if record is not None:
        return record_fingerprint(record)
    logentry = event.get("logentry") or {}
    return error_fingerprint(
        hint.get("exc_info"),
        where=event.get("logger") or "",
        message=logentry.get("message") or event.get("message") or "",
    )


def before_send(dedupe_window):
    """Let an error through once per ``dedupe_window`` seconds per fingerprint, across workers.

    Sentry groups repeats server-side, but each one still costs a round trip here and an
    event of the quota there: an outage failing every request would send thousands. The
    error mail counts repeats the same way.
    """
    once = OncePerWindow("sentry-sent", dedupe_window)

    def hook(event, hint=None):
        if dedupe_window > 0 and not once.first_time(event_fingerprint(event, hint)):
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
        # Imported here: this module is loaded with the settings, before apps are ready.
        from ..core.client_ip import client_ip

        self.client_ip = client_ip

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


def traces_sampler(rate, max_per_second=0, untraced_paths=QUIET_PATHS):
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
    untraced_paths=QUIET_PATHS,
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
    # The request log's line is written once the response is ready, after anything it could
    # explain was reported: as a breadcrumb it would cost every request and inform no event.
    from .request_log import logger as request_logger

    ignore_logger(request_logger.name)
