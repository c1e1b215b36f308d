import threading

import pytest

# A real Redis client pointed at a port where nothing listens.
UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.mark.django_db
def test_health_reports_every_dependency(client):
    response = client.get("/api/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {"database", "cache"} <= set(body["checks"])
    assert all(check["status"] == "ok" for check in body["checks"].values())
    assert all("duration_ms" in check for check in body["checks"].values())
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_names_the_failing_dependency(client, settings):
    settings.CACHES = UNREACHABLE_CACHE

    response = client.get("/api/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["failing"] == ["cache"]
    assert body["checks"]["database"]["status"] == "ok"
    assert "ConnectionError" in body["checks"]["cache"]["error"]


def test_liveness_touches_no_dependency(client, settings):
    # No database access is allowed in this test (no django_db mark), and the cache is down.
    settings.CACHES = UNREACHABLE_CACHE

    response = client.get("/api/health/live/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_only_answers_get(client):
    assert client.post("/api/health/live/").status_code == 405


RELEASE_HUNG_CHECK = threading.Event()


def hung_check():
    """A dependency that accepts the question and never answers (until the test ends)."""
    RELEASE_HUNG_CHECK.wait(60)


@pytest.fixture
def hung_dependency(settings):
    RELEASE_HUNG_CHECK.clear()
    settings.HEALTH_CHECKS = {**settings.HEALTH_CHECKS, "hung": f"{__name__}.hung_check"}
    settings.HEALTH_CHECK_TIMEOUT = 0.2
    yield
    RELEASE_HUNG_CHECK.set()


@pytest.mark.django_db
def test_a_check_that_never_answers_fails_after_the_health_timeout(client, hung_dependency):
    response = client.get("/api/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["hung"]
    assert "no answer within 0.2s" in body["checks"]["hung"]["error"]
    assert body["checks"]["database"]["status"] == "ok"
