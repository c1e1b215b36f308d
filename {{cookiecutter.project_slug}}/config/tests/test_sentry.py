import sentry_sdk

from config.sentry import (
    FILTERED,
    before_send,
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
    assert sampler({"wsgi_environ": {"PATH_INFO": "/metrics"}}) == 0
    assert sampler({"wsgi_environ": {"PATH_INFO": "/api/v1/items/"}}) == 1.0
    assert sampler({"parent_sampled": False, "wsgi_environ": {"PATH_INFO": "/api/"}}) == 0


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
        assert client.options["before_send_transaction"] is scrub
    finally:
        sentry_sdk.init()  # back to a client that sends nothing


def error_event(line):
    return {
        "level": "error",
        "exception": {
            "values": [
                {
                    "type": "OperationalError",
                    "module": "django.db.utils",
                    "stacktrace": {"frames": [{"filename": "app/views.py", "lineno": line}]},
                }
            ]
        },
        "request": {"headers": {"Authorization": "Token abc"}},
    }


def test_an_error_storm_reaches_sentry_once_per_fingerprint(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    hook = before_send(dedupe_window=60)

    sent = [hook(error_event(10)) for _ in range(50)]
    other = hook(error_event(20))

    assert sum(event is not None for event in sent) == 1
    assert sent[0]["request"]["headers"]["Authorization"] == FILTERED
    assert other is not None, "a different error is still reported"


def test_a_zero_window_sends_every_error():
    hook = before_send(dedupe_window=0)

    assert all(hook(error_event(10)) is not None for _ in range(3))
