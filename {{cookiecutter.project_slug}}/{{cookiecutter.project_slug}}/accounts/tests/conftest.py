import pytest
from django.conf import settings

from ...throttling.throttles import SharedRateThrottle


@pytest.fixture(autouse=True)
def generous_sensitive_tier(monkeypatch):
    """These tests sign in more often than the sensitive tier allows a minute."""
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "sensitive": "1000/minute"}
    monkeypatch.setattr(SharedRateThrottle, "THROTTLE_RATES", rates)
