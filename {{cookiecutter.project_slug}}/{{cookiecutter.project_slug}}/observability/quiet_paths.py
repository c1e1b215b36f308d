"""Requests that run all the time and say nothing: probes and scrapes.

The request log writes them at DEBUG, and they are never traced.
"""

QUIET_PATHS = [
    "/api/health/",
    "/metrics",  # feature: prometheus
]
_QUIET_PREFIXES = tuple(QUIET_PATHS)  # what str.startswith takes


def is_quiet(path):
    return path.startswith(_QUIET_PREFIXES)
