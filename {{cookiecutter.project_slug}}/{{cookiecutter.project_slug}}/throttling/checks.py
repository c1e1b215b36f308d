"""Start-up checks: limits that look on but do not hold."""

from django.conf import settings
from django.core import checks
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.utils.module_loading import import_string

PER_PROCESS_CACHES = (LocMemCache, DummyCache)


@checks.register(checks.Tags.caches, checks.Tags.security)
def check_throttle_cache_is_shared(app_configs, **kwargs):
    if getattr(settings, "ENVIRONMENT", None) != "production":
        return []
    alias = getattr(settings, "THROTTLE_CACHE", "default")
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    # By class, not by name: wrappers (metrics, say) subclass the backend they wrap.
    if not issubclass(import_string(backend), PER_PROCESS_CACHES):
        return []
    return [
        checks.Warning(
            f"Rate limits are counted in a per-process cache ({backend}): each worker "
            "allows the full rate, so the deployment allows it many times over.",
            hint="Set REDIS_URL so that every worker shares one Redis cache.",
            id="throttling.W001",
        )
    ]
