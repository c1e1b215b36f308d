import logging

import pytest
from django.core.cache import cache

from ..error_mail import RateLimitFilter
from ..once import forget_cache_failure


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    """Every test starts with no error reported yet (other tests' errors count too)."""

    def reset():
        cache.clear()
        forget_cache_failure()
        for logger in (logging.getLogger(name) for name in logging.root.manager.loggerDict):
            for handler in getattr(logger, "handlers", []):
                for found in handler.filters:
                    if isinstance(found, RateLimitFilter):
                        found.reset()

    reset()
    yield
    reset()
