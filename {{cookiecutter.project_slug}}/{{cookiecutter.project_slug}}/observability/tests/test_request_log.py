import json
import logging

import pytest
from pythonjsonlogger.json import JsonFormatter

from ..request_id import RequestIdFilter


@pytest.fixture
def json_log_lines():
    """Capture the request logger through the production JSON formatter."""
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(json.loads(self.format(record)))

    handler = Collect(level=logging.DEBUG)
    handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s %(request_id)s"))
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("{{ cookiecutter.project_slug }}.request")
    logger.addHandler(handler)
    previous_level = logger.level
    logger.setLevel(logging.DEBUG)
    yield lines
    logger.removeHandler(handler)
    logger.setLevel(previous_level)


@pytest.mark.django_db
def test_the_line_names_the_client_as_our_proxy_saw_it(client, json_log_lines):
    client.get(
        "/api/health/live/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5"
    )
    client.get("/api/health/live/", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="10.9.9.9")

    assert [line["client_ip"] for line in json_log_lines] == ["203.0.113.5", "198.51.100.4"]


@pytest.mark.django_db
def test_each_request_is_one_json_line_with_its_id_status_and_duration(client, json_log_lines):
    url = "/api/v1/items/"  # feature: url_path_versioning
    url = "/api/items/"  # feature: not url_path_versioning
    response = client.get(url, headers={"X-Request-ID": "req-00000001"})

    [line] = json_log_lines
    assert line["request_id"] == "req-00000001" == response["X-Request-ID"]
    assert line["method"] == "GET"
    assert line["path"] == url
    assert line["status"] == 200
    assert line["duration_ms"] >= 0


@pytest.mark.django_db
def test_a_request_id_is_kept_only_from_our_proxies(client, json_log_lines):
    from_proxy = client.get(
        "/api/health/live/", REMOTE_ADDR="127.0.0.1", headers={"X-Request-ID": "nginx-abcdef12"}
    )
    from_anyone = client.get(
        "/api/health/live/", REMOTE_ADDR="198.51.100.4", headers={"X-Request-ID": "forged-abcdef12"}
    )
    malformed = client.get(
        "/api/health/live/", REMOTE_ADDR="127.0.0.1", headers={"X-Request-ID": "bad id; drop"}
    )

    assert from_proxy["X-Request-ID"] == "nginx-abcdef12"
    assert from_anyone["X-Request-ID"] not in ("", "forged-abcdef12")
    assert malformed["X-Request-ID"] not in ("", "bad id; drop")
    assert [line["request_id"] for line in json_log_lines] == [
        "nginx-abcdef12",
        from_anyone["X-Request-ID"],
        malformed["X-Request-ID"],
    ]


@pytest.mark.django_db
def test_an_overlong_request_id_is_replaced(client):
    response = client.get("/api/health/live/", headers={"X-Request-ID": "a" * 129})

    assert len(response["X-Request-ID"]) == 32
