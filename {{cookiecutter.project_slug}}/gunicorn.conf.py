"""gunicorn settings, all from the environment: ``gunicorn -c gunicorn.conf.py``."""

import os
from importlib import import_module

from config.concurrency import default_workers

# The same trusted peers as Django's TRUSTED_PROXIES (one parser, one default).
client_ip = import_module("{{ cookiecutter.project_slug }}.core.client_ip")


def number(name, default):
    """An integer variable; a malformed value stops start-up naming the variable."""
    value = os.environ.get(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"Environment variable {name}={value!r} must be an integer") from None


def trusted_proxies():
    """TRUSTED_PROXIES as gunicorn wants it; a malformed entry stops start-up naming it."""
    try:
        return ",".join(str(network) for network in client_ip.trusted_networks_from_env())
    except ValueError as error:
        raise SystemExit(str(error)) from None


# Loopback by default: clients reach the app through the proxy in front of it, which
# buffers slow clients and sets X-Forwarded-For. The container image listens on 0.0.0.0
# (GUNICORN_HOST) and compose publishes the port on 127.0.0.1 only (docs/DEPLOYMENT.md).
bind = os.environ.get("GUNICORN_BIND") or (
    f"{os.environ.get('GUNICORN_HOST') or '127.0.0.1'}:{number('PORT', 8000)}"
)
# GUNICORN_WORKERS, else WEB_CONCURRENCY (the platforms' convention), else 2 x the CPUs this
# process may use (cgroup quota, affinity) + 1: never the host's core count in a container.
workers = number("GUNICORN_WORKERS", number("WEB_CONCURRENCY", default_workers()))
threads = number("GUNICORN_THREADS", 1)
timeout = number("GUNICORN_TIMEOUT", 30)
graceful_timeout = number("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = number("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so a slow leak never becomes an outage; rarely, because a
# restart costs a Django start-up (every 2,000 requests cost a busy worker 20% throughput).
max_requests = number("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = number("GUNICORN_MAX_REQUESTS_JITTER", 1000)
# The app logs every request as JSON itself; gunicorn's access log is optional.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = os.environ.get(
    "GUNICORN_ACCESS_LOG_FORMAT", '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# X-Forwarded-Proto (and the other secure-scheme headers) only from our own proxies.
forwarded_allow_ips = trusted_proxies()
wsgi_app = "config.wsgi:application"
# begin feature: prometheus


def child_exit(server, worker):
    """Multi-process metrics (PROMETHEUS_MULTIPROC_DIR): drop the gauges of a dead worker."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
# end feature: prometheus
