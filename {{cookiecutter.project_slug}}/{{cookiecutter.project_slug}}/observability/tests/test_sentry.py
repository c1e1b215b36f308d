import logging
import sys
from collections.abc import Callable
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
import sentry_sdk
import sentry_sdk.transport
from django.core.cache.backends.locmem import LocMemCache
from django.core.handlers.wsgi import WSGIHandler
from django.urls import path
from sentry_sdk.utils import event_from_exception

from ..fingerprint import error_fingerprint, record_fingerprint
from ..once import OncePerWindow
from ..quiet_paths import QUIET_PATHS
from ..sentry import (
    FILTERED,
    TracesBudget,
    before_send,
    before_send_transaction,
    event_fingerprint,
    init_sentry,
    release_from_checkout,
    scrub,
    traces_sampler,
)


def test_sentry_is_not_started_without_a_dsn(settings):
    assert settings.SENTRY_DSN == ""
    assert not sentry_sdk.get_client().is_active()


def test_scrub_removes_secrets_even_when_personal_data_is_sent():
    event = {
        "message": "login failed for password=hunter2&next=/",
        "request": {
            "url": "https://api.example.com/api/v1/items/",
            "query_string": "token=abc123&page=2",
            "cookies": {"sessionid": "s3cret", "theme": "dark"},
            "headers": {"Authorization": "Token abc123", "Accept": "application/json"},
            "data": {"username": "alice", "password": "hunter2", "new_password1": "x"},
            "env": {"HTTP_AUTHORIZATION": "Bearer abc", "REMOTE_ADDR": "10.0.0.1"},
        },
        "extra": {"api_key": "k", "nested": [{"client_secret": "s"}]},
        "spans": [{"data": {"db.params": ["sess-key-1"], "db.system": "sqlite"}}],
        "frame_vars": {"req": "<Context: {'kwargs': {'password': 'task-pw', 'n': 1}}>"},
        "user": {"id": 1, "username": "alice"},
    }

    cleaned = scrub(event)
    text = repr(cleaned)

    secrets = ["hunter2", "abc123", "s3cret", "Bearer abc", "'k'", "'s'", "task-pw", "sess-key-1"]
    for secret in secrets:
        assert secret not in text
    assert cleaned["request"]["query_string"] == f"token={FILTERED}&page=2"
    assert cleaned["request"]["headers"]["Accept"] == "application/json"
    assert cleaned["request"]["data"]["username"] == "alice"
    assert cleaned["user"] == {"id": 1, "username": "alice"}
    assert cleaned["request"]["env"]["REMOTE_ADDR"] == "10.0.0.1"
    assert "'n': 1" in cleaned["frame_vars"]["req"]


def test_health_probes_and_metric_scrapes_are_never_traced():
    sampler = traces_sampler(1.0)

    assert sampler({"wsgi_environ": {"PATH_INFO": "/api/health/"}}) == 0
    assert sampler({"wsgi_environ": {"PATH_INFO": "/api/health/live/"}}) == 0
    assert sampler({"wsgi_environ": {"PATH_INFO": "/metrics"}}) == 0  # feature: prometheus
    assert sampler({"wsgi_environ": {"PATH_INFO": "/api/v1/items/"}}) == 1.0
    assert sampler({"parent_sampled": False, "wsgi_environ": {"PATH_INFO": "/api/"}}) == 0


def test_static_files_are_never_traced_and_an_empty_prefix_untraces_nothing():
    sampler = traces_sampler(1.0, untraced_paths=(*QUIET_PATHS, "/static/", ""))

    assert sampler({"wsgi_environ": {"PATH_INFO": "/static/app.css"}}) == 0
    assert sampler({"wsgi_environ": {"PATH_INFO": "/api/v1/items/"}}) == 1.0


def test_the_traces_budget_lowers_the_rate_only_while_traffic_exceeds_it():
    now = [0.0]
    budget = TracesBudget(2, clock=lambda: now[0])

    assert budget.rate(0.1) == 0.1  # nothing measured yet
    for _ in range(999):
        budget.rate(0.1)
    now[0] = 1.0  # 1,000 requests in that second: 100 would be traced at 0.1
    assert budget.rate(0.1) == pytest.approx(2 / 1000)
    now[0] = 2.0  # one request in the next second: the configured rate again
    assert budget.rate(0.1) == 0.1
    assert TracesBudget(0).rate(0.1) == 0.1  # 0: no cap


def test_release_falls_back_to_the_checkout_or_version():
    release = release_from_checkout()

    assert release is None or len(release) >= 5


def test_init_accepts_the_settings_values():
    init_sentry(
        "",
        environment="test",
        release="1.2.3",
        traces_sample_rate=0.5,
        profiles_sample_rate=0.0,
        send_default_pii=False,
    )
    client = sentry_sdk.get_client()
    try:
        assert client.options["release"] == "1.2.3"
        assert client.options["data_collection"]["user_info"] is False
        assert client.options["before_send_transaction"] is before_send_transaction
    finally:
        sentry_sdk.init()  # back to a client that sends nothing


def database_query_failed():
    raise RuntimeError("query 42 failed")


def template_failed():
    raise RuntimeError("template 42 failed")


def error_event(failure):
    """The event and hint sentry-sdk makes of the exception ``failure`` raises."""
    try:
        failure()
    except RuntimeError:
        event, hint = event_from_exception(sys.exc_info())
    event["request"] = {"headers": {"Authorization": "Token abc"}}
    return event, hint


def test_sentry_and_the_error_mail_agree_about_what_the_same_error_is():
    event, hint = error_event(database_query_failed)
    record = logging.LogRecord(
        "django.request", logging.ERROR, "x", 1, "%s", ("x",), hint["exc_info"]
    )

    assert event_fingerprint(event, hint) == record_fingerprint(record)
    assert event_fingerprint(event, hint) == error_fingerprint(hint["exc_info"])
    assert event_fingerprint(*error_event(template_failed)) != event_fingerprint(event, hint)


def test_an_error_storm_reaches_sentry_once_per_fingerprint(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    hook = before_send(dedupe_window=60)

    sent = [hook(*error_event(database_query_failed)) for _ in range(50)]
    other = hook(*error_event(template_failed))

    assert sum(event is not None for event in sent) == 1
    assert sent[0]["request"]["headers"]["Authorization"] == FILTERED
    assert other is not None, "a different error is still reported"


@pytest.fixture
def hung_cache(settings, monkeypatch):
    """A cache that never answers: each question it was asked, in a list."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    questions = []

    def hung(*args, **kwargs):
        questions.append(args)
        raise TimeoutError("Redis did not answer")

    monkeypatch.setattr(LocMemCache, "add", hung)
    return questions


def test_a_cache_that_fails_is_not_asked_again_for_each_event(hung_cache):
    # A hung Redis costs REDIS_TIMEOUT per question: ask once, then this process's memory.
    hook = before_send(dedupe_window=60)

    sent = [hook(*error_event(database_query_failed)) for _ in range(5)]

    assert len(hung_cache) == 1
    assert sum(event is not None for event in sent) == 1


def test_a_cache_found_down_by_one_channel_is_not_asked_by_the_next(hung_cache):
    # A request whose error goes to Sentry and to the mail waits for a hung Redis once.
    sentry_hook = before_send(dedupe_window=60)
    mail_once = OncePerWindow("error-mail", 60)

    sent = sentry_hook(*error_event(database_query_failed))
    mailed = mail_once.first_time("the same error")

    assert len(hung_cache) == 1
    assert sent is not None
    assert mailed is True


def test_a_zero_window_sends_every_error():
    hook = before_send(dedupe_window=0)

    assert all(hook(*error_event(database_query_failed)) is not None for _ in range(3))


def ignore_response(
    status: str, headers: list[tuple[str, str]], exc_info: object = None
) -> Callable[[bytes], object]:
    """A WSGI start_response for tests that read what Sentry captured, not the response."""
    return lambda data: None


def request_events(captured: list[dict[str, Any]], environ: dict[str, str]) -> list[dict[str, Any]]:
    """One request through Django's WSGI handler; what Sentry captured that names a request."""
    setup_testing_defaults(environ)
    WSGIHandler()(environ, ignore_response)
    sentry_sdk.flush()
    return [event for event in captured if "request" in event]


def failing_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", failing_view)]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("peer", "expected"), [("127.0.0.1", "203.0.113.5"), ("198.51.100.4", "198.51.100.4")]
)
def test_events_name_the_client_as_our_proxies_saw_it(settings, captured_sentry, peer, expected):
    settings.MIDDLEWARE = [
        "{{ cookiecutter.project_slug }}.observability.sentry.ClientIpMiddleware",
        *settings.MIDDLEWARE,
    ]
    captured = captured_sentry(traces_sample_rate=1.0, send_default_pii=True)
    # sentry-sdk itself would take the first X-Forwarded-For entry, which the client wrote.
    environ = {
        "PATH_INFO": "/boom/",
        "REMOTE_ADDR": peer,
        "HTTP_X_FORWARDED_FOR": "10.9.9.9, 203.0.113.5",
    }
    events = request_events(captured, environ)

    # The exception, the error lines logged about it and the request's transaction: each
    # one names the same client.
    assert {event.get("type", "error") for event in events} == {"error", "transaction"}
    assert {event["user"]["ip_address"] for event in events} == {expected}
    assert {event["request"]["env"]["REMOTE_ADDR"] for event in events} == {expected}


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_events_carry_the_request_id_as_a_tag(captured_sentry):
    captured = captured_sentry(traces_sample_rate=1.0)
    environ = {
        "PATH_INFO": "/boom/",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_REQUEST_ID": "req-tagged-1",
    }
    events = request_events(captured, environ)

    assert {event.get("type", "error") for event in events} == {"error", "transaction"}
    assert {event["tags"]["request_id"] for event in events} == {"req-tagged-1"}


def test_the_request_log_line_is_no_breadcrumb_and_other_info_lines_are(captured_sentry):
    captured = captured_sentry(traces_sample_rate=0.0)
    with sentry_sdk.isolation_scope():
        logging.getLogger("{{ cookiecutter.project_slug }}.request").info("GET /items/ 200")
        logging.getLogger("{{ cookiecutter.project_slug }}.items").info("item 7 archived")
        sentry_sdk.capture_message("after both lines")
    sentry_sdk.flush()

    (event,) = captured
    messages = [crumb.get("message") for crumb in event["breadcrumbs"]["values"]]
    assert "item 7 archived" in messages
    assert "GET /items/ 200" not in messages
