import datetime as dt
import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from django.utils.http import http_date
from prometheus_client import REGISTRY  # feature: prometheus

from ..checks import check_api_version_settings
from ..deprecation import parse_deprecations

ITEMS = "/api/v1/items/"  # feature: url_path_versioning
ITEMS = "/api/items/"  # feature: not url_path_versioning
DEPRECATED = "2020-01-01"
GUIDE = "https://example.com/docs/api/migrate-v1-to-v2"


def deprecating_v1(sunset):
    """Settings in which v2 exists and v1 is deprecated, retiring at ``sunset``."""
    return override_settings(
        API_VERSIONS=["v1", "v2"],
        API_DEPRECATIONS={"v1": {"deprecated": DEPRECATED, "sunset": sunset, "link": GUIDE}},
    )


def test_the_shipped_version_settings_are_valid():
    assert check_api_version_settings(None) == []


@pytest.mark.django_db
def test_a_current_version_sends_no_deprecation_headers(api_client):
    response = api_client.get(ITEMS)

    assert response.status_code == 200
    assert not response.has_header("Deprecation")
    assert not response.has_header("Sunset")


@pytest.mark.django_db
def test_a_deprecated_version_warns_in_headers_and_logs_who_called(api_client, user, caplog):
    api_client.force_authenticate(user)
    with deprecating_v1("2999-12-31"), caplog.at_level(logging.WARNING):
        response = api_client.get(ITEMS)

    assert response.status_code == 200
    deprecated_at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    assert response["Deprecation"] == f"@{int(deprecated_at.timestamp())}"
    assert response["Sunset"] == "Tue, 31 Dec 2999 00:00:00 GMT"
    assert response["Sunset"] == http_date(dt.datetime(2999, 12, 31, tzinfo=dt.UTC).timestamp())
    assert response["Link"] == f'<{GUIDE}>; rel="deprecation"; type="text/html"'
    [record] = [r for r in caplog.records if r.name.endswith("api.deprecation")]
    assert record.api_version == "v1"
    assert record.user_id == user.pk
    assert record.status == 200


# begin feature: prometheus
@pytest.mark.django_db
def test_calls_to_deprecated_versions_are_counted_in_the_metrics(api_client):
    metric, labels = "api_deprecated_version_requests_total", {"version": "v1", "status": "200"}
    before = REGISTRY.get_sample_value(metric, labels) or 0
    with deprecating_v1("2999-12-31"):
        api_client.get(ITEMS)
        api_client.get(ITEMS)

    assert REGISTRY.get_sample_value(metric, labels) == before + 2


# end feature: prometheus
@pytest.mark.django_db
def test_after_the_sunset_the_version_is_gone_and_names_its_replacement(api_client):
    with deprecating_v1("2021-01-01"):
        response = api_client.get(ITEMS)

    assert response.status_code == 410
    error = response.json()["error"]
    assert set(error) == {"status", "code", "message", "details"}  # core/exceptions.py
    assert error["status"] == 410
    assert error["code"] == "api_version_retired"
    assert "2021-01-01" in error["message"]
    assert error["details"]["replacement"] in ("v2", "2")
    assert error["details"]["migration_guide"] == GUIDE
    assert response["Link"] == f'<{GUIDE}>; rel="deprecation"; type="text/html"'


def test_unversioned_endpoints_are_never_deprecated(client):
    with deprecating_v1("2021-01-01"):
        response = client.get("/api/health/live/")

    assert response.status_code == 200
    assert not response.has_header("Deprecation")


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ({"deprecated": "2026-06-01", "sunset": "2026-01-01", "link": GUIDE}, "earlier than"),
        ({"deprecated": "June 2026", "link": GUIDE}, "ISO 8601"),
        ({"deprecated": "2026-06-01"}, "'link' is required"),
        ({"sunset": "2026-06-01", "link": GUIDE}, "'deprecated' is required"),
        ({"deprecated": "2026-06-01", "link": "not a url"}, "absolute URL"),
        ({"deprecated": "2026-06-01", "link": GUIDE, "replacement": "v1"}, "newer version"),
        ({"deprecated": "2026-06-01", "link": GUIDE, "retire": "soon"}, "unknown keys"),
    ],
)
def test_bad_deprecation_settings_fail_at_start_up(entry, complaint):
    with pytest.raises(ImproperlyConfigured, match=complaint):
        parse_deprecations({"v1": entry}, ["v1", "v2"])


def test_only_known_versions_can_be_deprecated():
    with pytest.raises(ImproperlyConfigured, match="not in API_VERSIONS"):
        parse_deprecations({"v7": {"deprecated": "2026-06-01", "link": GUIDE}}, ["v1"])


def test_a_default_version_that_does_not_exist_fails_at_start_up():
    with override_settings(API_DEFAULT_VERSION="v9"):
        (error,) = check_api_version_settings(None)

    assert error.id == "api.E001"
    assert error.is_serious()
    assert "API_DEFAULT_VERSION='v9' is not in API_VERSIONS" in error.msg


def test_a_bad_deprecation_stops_manage_py_check():
    bad = {"v1": {"deprecated": "June 2026", "link": GUIDE}}
    with override_settings(API_DEPRECATIONS=bad), pytest.raises(SystemCheckError, match="ISO 8601"):
        call_command("check")


def test_startapiversion_refuses_a_version_that_exists_or_is_not_a_number():
    with pytest.raises(CommandError, match="already exists"):
        call_command("startapiversion", "1")
    with pytest.raises(CommandError, match="not a version number"):
        call_command("startapiversion", "two")
