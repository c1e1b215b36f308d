"""Tools the tests drive (chromium, nginx, node, wrk, other Pythons...) that may be missing.

On a developer's machine a missing tool skips the test that needs it, saying what to
install. In CI (.ci/run installs every one and sets ROUTEX_REQUIRE_TOOLS=1) it fails the
test instead, so a forgotten install step turns CI red rather than silently green.
"""

import os

import pytest


def unavailable(reason):
    if os.environ.get("ROUTEX_REQUIRE_TOOLS") == "1":
        pytest.fail(f"required in CI (ROUTEX_REQUIRE_TOOLS=1): {reason}")
    pytest.skip(reason)
