"""Container health probe (the Dockerfile's HEALTHCHECK): GET /api/health/live/ locally.

It sends a Host header the app accepts (the first plain name in DJANGO_ALLOWED_HOSTS), so
the probe passes ALLOWED_HOSTS like a real request does. Exit status 0 means healthy.
"""

import os
import sys
import urllib.request

DEFAULT_HOST = "{{ cookiecutter.domain_name }}"
# /api/health/live/ answers within 1 s (docs/DEPLOYMENT.md, "Probes"): wait a little more,
# and less than the HEALTHCHECK --timeout (2 s), so a slow answer is reported as such.
TIMEOUT_SECONDS = 1.5


def probe_host():
    for name in os.environ.get("DJANGO_ALLOWED_HOSTS", DEFAULT_HOST).split(","):
        host = name.strip().lstrip(".")
        if host and "*" not in host:
            return host
    return "localhost"


def main():
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/health/live/",
        headers={"Host": probe_host(), "X-Forwarded-Proto": "https"},
    )
    try:
        # A fixed http:// URL on this container, not user input.
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except OSError as error:
        sys.stderr.write(f"healthcheck: {error}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
