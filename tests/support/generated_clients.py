"""Clients generated from a running project's OpenAPI schema, as a team would generate them.

Python: openapi-python-client (pinned in the template's pyproject.toml, so it sits next to
the interpreter running the tests). TypeScript: openapi-typescript for the types,
openapi-fetch to call the API and tsc to type-check, installed pinned by npm into
.cache/client-generators the first time a test needs them (as the observatory is).
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from filelock import FileLock

from .template import TEMPLATE_DIR
from .tools import unavailable

DRIVERS = Path(__file__).parent / "client_drivers"
NPM_DIR = TEMPLATE_DIR / ".cache" / "client-generators"
NPM_PACKAGES = {
    "openapi-typescript": "7.13.0",
    "openapi-fetch": "0.17.0",
    "typescript": "5.9.3",
    "@types/node": "20.19.43",
}
OPENAPI_PYTHON_CLIENT = Path(sys.executable).parent / "openapi-python-client"


def run(command, cwd, env=None, timeout=300):
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, command))} failed (exit {result.returncode})\n{result.stdout[-6000:]}\n{result.stderr[-4000:]}"
        )
    return result


def installed_version(package):
    manifest = NPM_DIR / "node_modules" / package / "package.json"
    return json.loads(manifest.read_text())["version"] if manifest.exists() else None


def npm_tools():
    """node_modules holding the pinned TypeScript generator, fetch client and compiler."""
    for tool in ("npm", "node"):
        if not shutil.which(tool):
            unavailable(f"{tool} is not installed (apt-get install nodejs npm)")
    NPM_DIR.mkdir(parents=True, exist_ok=True)
    with FileLock(str(NPM_DIR) + ".lock"):
        if any(installed_version(name) != version for name, version in NPM_PACKAGES.items()):
            (NPM_DIR / "package.json").write_text(json.dumps({"private": True}))
            pins = [f"{name}@{version}" for name, version in NPM_PACKAGES.items()]
            run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--save-exact", *pins], NPM_DIR)
    return NPM_DIR / "node_modules"


def python_client(schema_file, workdir):
    """Generate the Python client package ``routex_client`` next to ``schema_file``."""
    if not OPENAPI_PYTHON_CLIENT.exists():
        unavailable("openapi-python-client is not installed (pip install -e . in the template)")
    package = Path(workdir) / "routex_client"
    run([OPENAPI_PYTHON_CLIENT, "generate", "--path", schema_file, "--output-path", package, "--meta", "none"], workdir)
    assert (package / "client.py").exists(), "openapi-python-client generated no client"
    return package


def run_python_client(package, settings):
    """Run the Python driver against the generated package: its report (a dict)."""
    env = {"PYTHONPATH": str(package.parent), "ROUTEX_CLIENT": json.dumps(settings)}
    result = run([sys.executable, DRIVERS / "drive_client.py"], package.parent, env=env)
    return json.loads(result.stdout.strip().splitlines()[-1])


def typescript_client(schema_file, workdir, substitutions):
    """Types from the schema, the driver written against them, type-checked by tsc."""
    node_modules = npm_tools()
    workdir = Path(workdir)
    (workdir / "node_modules").symlink_to(node_modules, target_is_directory=True)
    run([node_modules / ".bin" / "openapi-typescript", schema_file, "--output", workdir / "schema.d.ts"], workdir)
    source = (DRIVERS / "drive_client.ts").read_text()
    for placeholder, value in substitutions.items():
        source = source.replace(placeholder, value)
    (workdir / "drive_client.mts").write_text(source)
    (workdir / "tsconfig.json").write_text((DRIVERS / "tsconfig.json").read_text())
    # Type errors fail the test: a client that compiles against the schema is the point.
    run([node_modules / ".bin" / "tsc", "-p", workdir], workdir)
    return workdir / "drive_client.mjs"


def run_typescript_client(script, settings):
    env = {"ROUTEX_CLIENT": json.dumps(settings)}
    result = run([shutil.which("node"), script], script.parent, env=env)
    return json.loads(result.stdout.strip().splitlines()[-1])
