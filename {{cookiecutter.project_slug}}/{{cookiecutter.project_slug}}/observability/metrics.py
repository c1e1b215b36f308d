"""The /metrics endpoint, guarded in production, and an instrumented Redis cache backend."""

import hmac
import ipaddress
from functools import cache

from django.conf import settings
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from django_prometheus.cache.metrics import (
    django_cache_get_fail_total,
    django_cache_get_total,
    django_cache_hits_total,
    django_cache_misses_total,
)
from django_prometheus.exports import ExportToDjangoView


@cache
def allowed_networks(networks):
    return tuple(ipaddress.ip_network(network, strict=False) for network in networks)


def from_allowed_network(request):
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    networks = allowed_networks(tuple(settings.METRICS_ALLOWED_NETWORKS))
    return any(address in network for network in networks)


def check_scraper(request):
    """Raise unless the request may read the metrics.

    Without a token, the answer is the site's own 404 (no hint that anything lives here,
    whatever the method); a wrong token is a 403.
    """
    if settings.METRICS_PUBLIC or from_allowed_network(request):
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if not settings.METRICS_TOKEN or not token:
        raise Http404
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.encode(), settings.METRICS_TOKEN.encode()
    ):
        raise PermissionDenied


# Exempt from CSRF so that a POST meets the same 404 as anywhere else (it changes nothing).
@csrf_exempt
def metrics(request):
    check_scraper(request)
    return export(request)


@never_cache
@require_GET
def export(request):
    return ExportToDjangoView(request)


class RedisCache(DjangoRedisCache):
    """Django's Redis cache, counting gets, hits, misses and failures."""

    def get(self, key, default=None, version=None):
        django_cache_get_total.labels(backend="redis").inc()
        try:
            value = super().get(key, default=None, version=version)
        except Exception:
            django_cache_get_fail_total.labels(backend="redis").inc()
            raise
        if value is None:
            django_cache_misses_total.labels(backend="redis").inc()
            return default
        django_cache_hits_total.labels(backend="redis").inc()
        return value


urlpatterns = [path("metrics", metrics, name="metrics")]
