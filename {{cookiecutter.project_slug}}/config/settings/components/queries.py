"""Query monitoring (observability.queries): queries at least this slow are logged with their view."""

from config.env import env

SLOW_QUERY_MS = env.positive_int("DJANGO_SLOW_QUERY_MS", default=500)
