"""Prometheus metrics (django-prometheus) at /metrics.

Requests (latency and count by view, method and status), database and cache operations,
and inserts/updates/deletes of the example model. Outside production /metrics is open; in
production only scrapers from METRICS_ALLOWED_NETWORKS or with ``Authorization: Bearer
$METRICS_TOKEN`` get it (everyone else gets 404, or 403 for a wrong token).
"""

from config.env import ENVIRONMENT, env

# Its middleware (base.py), database engines (components/database.py) and cache backends
# (components/caches.py) are instrumented where each is configured.
METRICS_PUBLIC = env.bool("METRICS_PUBLIC", default=ENVIRONMENT != "production")
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Comma-separated addresses or networks (CIDR) of the scrapers, e.g. 10.0.0.0/8
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=[])
