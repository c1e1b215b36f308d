#!/bin/sh
# Re-resolve the lock files from pyproject.toml, with hashes, for every supported Python
# (>= {{ cookiecutter._pins.python_min }}): requirements.txt (what production installs) and requirements-dev.txt (plus
# the dev extra). Run it after changing a dependency in pyproject.toml, then commit all three.
#
#   scripts/lock_dependencies.sh                        # keep every other version as it is
#   scripts/lock_dependencies.sh --upgrade-package NAME # move one package to its newest release
#   scripts/lock_dependencies.sh --upgrade              # everything to its newest release
#
# Needs the network and uv (in the dev extra: pip install --require-hashes -r requirements-dev.txt).
# The commands are the ones recorded in the lock headers, which Renovate re-runs as well.
set -eu
cd "$(dirname "$0")/.."
uv pip compile pyproject.toml --universal --python-version {{ cookiecutter._pins.python_min }} --generate-hashes -o requirements.txt "$@"
uv pip compile pyproject.toml --universal --python-version {{ cookiecutter._pins.python_min }} --generate-hashes --extra dev -o requirements-dev.txt "$@"
