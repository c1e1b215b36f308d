"""The MDN HTTP Observatory scanner, run against an app behind our TLS proxy."""

import json
import os
import shutil
import subprocess

from .edge import TlsProxy, tool_missing
from .template import TEMPLATE_DIR
from .tools import unavailable

OBSERVATORY_DIR = TEMPLATE_DIR / ".cache" / "observatory"
OBSERVATORY = OBSERVATORY_DIR / "node_modules" / "@mdn" / "mdn-http-observatory"


def observatory_ready():
    """Install the scanner once into .cache (no install scripts: they download data)."""
    if not (OBSERVATORY / "src" / "scan.js").exists():
        if not shutil.which("npm"):
            return "npm is not installed (apt-get install npm)"
        OBSERVATORY_DIR.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            ["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "@mdn/mdn-http-observatory"],
            cwd=OBSERVATORY_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            return f"npm install @mdn/mdn-http-observatory failed: {result.stderr[-500:]}"
    preload = OBSERVATORY / "conf" / "hsts-preload.json"
    if not preload.exists():
        preload.write_text("{}")
    return None


def scan(upstream_port, address, home):
    """Put nginx TLS on address:80/443 in front of upstream_port and scan it: (report, output).

    The scanner knows only ports 80 and 443, hence a loopback address of the caller's own.
    An API answers 404 at /, which the scanner refuses to grade, so / redirects to ``home``.
    """
    missing = tool_missing("nginx", "openssl", "node")
    if missing:
        unavailable(f"{missing} is not installed (apt-get install {missing})")
    problem = observatory_ready()
    if problem:
        unavailable(problem)
    proxy = TlsProxy(upstream_port, address=address, http_port=80, https_port=443, home=home)
    try:
        try:
            proxy.start()
        except (TimeoutError, OSError) as error:
            unavailable(f"nginx cannot listen on {address}:80/443 here: {error}")
        result = subprocess.run(
            ["node", str(OBSERVATORY / "src" / "scan.js"), address],
            env={**os.environ, "NODE_EXTRA_CA_CERTS": str(proxy.ca_file)},
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    finally:
        proxy.stop()
    return json.loads(result.stdout or "{}"), result.stdout[-3000:] + result.stderr[-1000:]
