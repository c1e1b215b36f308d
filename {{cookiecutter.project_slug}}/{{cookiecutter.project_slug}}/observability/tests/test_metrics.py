import pytest
from prometheus_client.parser import text_string_to_metric_families

from ...items.models import Item


def samples(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return [
        sample
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    ]


def value(all_samples, name, **labels):
    return sum(
        s.value for s in all_samples if s.name == name and labels.items() <= s.labels.items()
    )


@pytest.mark.django_db
def test_metrics_are_valid_exposition_with_request_metrics(client):
    client.get("/api/health/live/")

    found = samples(client.get("/metrics"))

    requests = "django_http_requests_total_by_view_transport_method_total"
    responses = "django_http_responses_total_by_status_view_method_total"
    assert value(found, requests, view="health-live") >= 1
    assert value(found, responses, status="200") >= 1
    names = {s.name for s in found}
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in names
    assert any(name.startswith("django_db_") for name in names)


@pytest.mark.django_db
def test_example_model_operations_are_counted(client, make_user):
    before = value(samples(client.get("/metrics")), "django_model_inserts_total", model="item")
    owner = make_user("carol")

    Item.objects.create(name="first", owner=owner)

    after = value(samples(client.get("/metrics")), "django_model_inserts_total", model="item")
    assert after == before + 1


@pytest.fixture
def production_metrics(settings):
    settings.METRICS_PUBLIC = False
    settings.METRICS_TOKEN = "scrape-token-0123456789"
    settings.METRICS_ALLOWED_NETWORKS = []
    return settings


@pytest.mark.django_db
def test_production_refuses_metrics_without_the_token(client, production_metrics):
    assert client.get("/metrics").status_code == 404
    wrong = client.get("/metrics", headers={"Authorization": "Bearer wrong"})
    assert wrong.status_code == 403
    right = client.get("/metrics", headers={"Authorization": "Bearer scrape-token-0123456789"})
    assert right.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "options"])
def test_refused_metrics_look_like_any_other_missing_page(client, production_metrics, method):
    refused = getattr(client, method)("/metrics")
    missing = getattr(client, method)("/no-such-page")

    assert refused.status_code == missing.status_code == 404
    assert refused.content == missing.content
    assert refused.json()["error"]["code"] == "not_found"
    ignored = {"X-Request-ID"}
    assert set(refused.headers) - ignored == set(missing.headers) - ignored


@pytest.mark.django_db
def test_a_wrong_metrics_token_is_the_json_403(client, production_metrics):
    response = client.get("/metrics", headers={"Authorization": "Bearer wrong"})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.django_db
def test_production_without_a_token_hides_metrics(client, production_metrics):
    production_metrics.METRICS_TOKEN = ""

    response = client.get("/metrics", headers={"Authorization": "Bearer "})

    assert response.status_code == 404


@pytest.mark.django_db
def test_production_serves_metrics_to_allowed_networks(client, production_metrics):
    production_metrics.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8", "127.0.0.1"]

    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.168.1.5").status_code == 404
