"""Requests that run all the time and say nothing: probes and scrapes.

The request log writes them at DEBUG, and they are never traced.
"""

QUIET_PATHS: tuple[str, ...] = (
    "/api/health/",
    "/metrics",  # feature: prometheus
)
