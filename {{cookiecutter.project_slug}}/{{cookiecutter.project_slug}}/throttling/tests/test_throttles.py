"""Tiered rate limits: who is counted, how much, and what a limited client gets."""

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from conftest import credentials

from ...accounts import urls as auth_urls
from ..throttles import SharedRateThrottle

TOKEN = "/api/auth/token/"
JSON = "application/json"


class OpenView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"ok": True})


class ReportsView(OpenView):
    throttle_scope = "reports"


urlpatterns = [
    path("open/", OpenView.as_view()),
    path("reports/", ReportsView.as_view()),
    path("api/auth/", include(auth_urls)),
]


@pytest.fixture
def rates(monkeypatch):
    """Small rates, so that a test spends a limit in a few requests."""

    def set_rates(**rates):
        merged = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates}
        monkeypatch.setattr(SharedRateThrottle, "THROTTLE_RATES", merged)

    return set_rates


def spend(client, url, times, method="get", **kwargs):
    return [getattr(client, method)(url, **kwargs).status_code for _ in range(times)]


def test_rates_come_from_the_answers_given_at_generation():
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]

    assert rates["anon"] == "{{ cookiecutter.anon_throttle_rate }}"
    assert rates["user"] == "{{ cookiecutter.user_throttle_rate }}"
    assert rates["sensitive"] == "{{ cookiecutter.sensitive_throttle_rate }}"


@pytest.mark.urls(__name__)
def test_a_limited_client_gets_429_with_retry_after_and_the_json_error_body(client, rates):
    rates(anon="2/minute", anon_burst="100/minute")

    statuses = spend(client, "/open/", 3)
    response = client.get("/open/")

    assert statuses == [200, 200, 429]
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["error"]["code"] == "throttled"
    assert response.json()["error"]["status"] == 429


@pytest.mark.urls(__name__)
def test_retry_after_is_the_time_left_in_the_window_and_the_next_window_starts_afresh(
    client, rates, monkeypatch
):
    rates(anon="1/minute", anon_burst="100/minute")
    now = SharedRateThrottle.timer()
    spent = spend(client, "/open/", 1)
    refused = client.get("/open/")
    monkeypatch.setattr(SharedRateThrottle, "timer", staticmethod(lambda: now + 60))

    assert spent == [200]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 60 - int(now) % 60
    assert spend(client, "/open/", 1) == [200]


@pytest.mark.urls(__name__)
def test_burst_and_sustained_windows_both_apply(client, rates):
    rates(anon="100/hour", anon_burst="2/minute")

    assert spend(client, "/open/", 3) == [200, 200, 429]


@pytest.mark.urls(__name__)
def test_anonymous_clients_are_counted_per_ip(client, rates):
    rates(anon="1/minute")

    first = spend(client, "/open/", 2, REMOTE_ADDR="203.0.113.1")
    other = spend(client, "/open/", 1, REMOTE_ADDR="203.0.113.2")

    assert first == [200, 429]
    assert other == [200]


@pytest.mark.urls(__name__)
def test_signed_in_and_anonymous_tiers_are_independent(api_client, auth_client, rates):
    rates(anon="1/minute", user="3/minute")

    anonymous = spend(api_client, "/open/", 2)
    signed_in = spend(auth_client, "/open/", 4)

    assert anonymous == [200, 429]
    assert signed_in == [200, 200, 200, 429]


@pytest.mark.urls(__name__)
def test_a_scoped_endpoint_has_its_own_rate(client, rates):
    rates(anon="100/minute", reports="2/minute")

    assert spend(client, "/reports/", 3) == [200, 200, 429]
    assert spend(client, "/open/", 1) == [200]


@pytest.mark.django_db
def test_the_token_endpoint_is_limited_per_ip_whoever_asks(client, rates):
    rates(sensitive="3/minute")
    wrong = credentials("alice", "wrong")

    first_ip = spend(
        client, TOKEN, 4, method="post", data=wrong, content_type=JSON, REMOTE_ADDR="198.51.100.1"
    )
    second_ip = spend(
        client, TOKEN, 1, method="post", data=wrong, content_type=JSON, REMOTE_ADDR="198.51.100.2"
    )

    assert first_ip == [400, 400, 400, 429]
    assert second_ip == [400]


@pytest.mark.django_db
def test_a_spoofed_forwarded_for_header_does_not_reset_the_limit(client, rates):
    rates(sensitive="2/minute")
    data = credentials("alice", "wrong")
    # Our proxy (127.0.0.1) appends the address it saw (192.0.2.7); what the client wrote
    # comes first.
    statuses = [
        client.post(
            TOKEN, data, content_type=JSON, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 192.0.2.7"
        ).status_code
        for n in range(4)
    ]

    assert statuses == [400, 400, 429, 429]


@pytest.mark.django_db
def test_a_client_reaching_the_app_directly_cannot_pick_its_address(client, rates):
    rates(sensitive="2/minute")
    data = credentials("alice", "wrong")
    # 203.0.113.9 is not a trusted proxy: its X-Forwarded-For is not believed.
    statuses = [
        client.post(
            TOKEN,
            data,
            content_type=JSON,
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(4)
    ]

    assert statuses == [400, 400, 429, 429]


@pytest.mark.django_db
@override_settings(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                        "LOCATION": "redis://127.0.0.1:9/0",
                        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
)  # fmt: skip
@pytest.mark.urls(__name__)
def test_without_the_cache_general_tiers_let_requests_through_and_sensitive_ones_refuse(client):
    # Nothing listens on port 9 (discard): every cache call fails fast.
    assert client.get("/open/").status_code == 200
    refused = client.post(TOKEN, credentials("alice", "x"), content_type=JSON)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1


DEPLOY_CHECK = ("check", "--deploy", "--fail-level", "WARNING")


def test_production_warns_when_the_counters_would_be_per_process(django_process):
    result = django_process.manage(*DEPLOY_CHECK)

    assert result.returncode != 0
    assert "throttling.W001" in result.stderr
    assert "REDIS_URL" in result.stderr


@pytest.mark.parametrize(
    "variable", ["THROTTLE_ANON_RATE", "THROTTLE_USER_RATE", "THROTTLE_SENSITIVE_RATE"]
)
def test_a_malformed_rate_fails_at_start_up_naming_the_variable(django_process, variable):
    result = django_process.manage(
        *DEPLOY_CHECK, REDIS_URL="redis://127.0.0.1:6379/0", **{variable: "10 per hour"}
    )

    assert result.returncode != 0
    assert variable in result.stderr


@pytest.mark.parametrize("value", ["ten", "0", "-5"])
def test_a_malformed_lockout_duration_fails_at_start_up_naming_the_variable(django_process, value):
    result = django_process.manage(
        *DEPLOY_CHECK, REDIS_URL="redis://127.0.0.1:6379/0", LOGIN_LOCKOUT_SECONDS=value
    )

    assert result.returncode != 0
    assert "LOGIN_LOCKOUT_SECONDS" in result.stderr
