"""Which peers may tell us who the client is (X-Forwarded-For): TRUSTED_PROXIES.

Every use of a client's address (rate limits, the login lockout, request logs, error
reports) goes through ``core.client_ip.client_ip``, which believes X-Forwarded-For only
from these peers. gunicorn.conf.py trusts the same ones for X-Forwarded-Proto.
docs/SECURITY.md explains the default and when to narrow it.
"""

from importlib import import_module

from django.core.exceptions import ImproperlyConfigured

from config.env import env

_client_ip = import_module("{{ cookiecutter.project_slug }}.core.client_ip")
try:
    # Unset: the default; empty: no proxy at all (every peer is the client).
    TRUSTED_PROXIES = _client_ip.parse_trusted_proxies(
        env.str("TRUSTED_PROXIES", default=",".join(_client_ip.DEFAULT_TRUSTED_PROXIES))
    )
except ValueError as error:
    raise ImproperlyConfigured(str(error)) from None
