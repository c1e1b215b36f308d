import json
import os
import secrets
import subprocess
import sys
import time  # feature: throttling
from importlib import import_module  # feature: sentry
from pathlib import Path
from typing import Any  # feature: sentry

import pytest
import sentry_sdk  # feature: sentry
import sentry_sdk.transport  # feature: sentry
from django.contrib.auth import get_user_model
from django.core.cache import cache  # feature: throttling
from django.core.exceptions import ImproperlyConfigured
from rest_framework.test import APIClient

PROJECT_ROOT = Path(__file__).resolve().parent


# What a Django process started by a test inherits from the test's environment: what the
# interpreter and the system need, never a variable the project reads.
INHERITED_VARIABLES = ("PATH", "HOME", "LANG", "TMPDIR", "TERM", "USER", "VIRTUAL_ENV")
INHERITED_PREFIXES = ("LC_", "PYTHON")


class DjangoProcess:
    """Django in a fresh interpreter, under the named settings and only the given variables.

    ``settings="production"`` also sets what production refuses to start without (a fresh
    secret key, the allowed hosts) and ignores the .env file; ``settings=None`` sets no
    settings module at all. A variable given as None is left out.
    """

    def environment(self, settings, variables):
        environment = {
            name: value
            for name, value in os.environ.items()
            if name in INHERITED_VARIABLES or name.startswith(INHERITED_PREFIXES)
        }
        if settings is not None:
            environment["DJANGO_SETTINGS_MODULE"] = f"config.settings.{settings}"
        if settings == "production":
            environment.update(
                DJANGO_READ_DOT_ENV_FILE="false",
                DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
                JWT_SIGNING_KEY=secrets.token_urlsafe(50),  # feature: jwt
                DJANGO_ALLOWED_HOSTS="api.example.com",
            )
        environment.update(variables)
        return {name: value for name, value in environment.items() if value is not None}

    def run(self, command, *, settings="production", **variables):
        return subprocess.run(
            command,
            cwd=PROJECT_ROOT,
            env=self.environment(settings, variables),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def python(self, code, *args, settings="production", **variables):
        """``python -c code *args``; the code sets Django up itself if it needs to."""
        return self.run([sys.executable, "-c", code, *args], settings=settings, **variables)

    def with_settings(self, code, *, settings="production", **variables):
        """Run ``code`` once Django is set up, with its settings as ``s``."""
        return self.python(SETTINGS_READY + code, settings=settings, **variables)

    def manage(self, *args, settings="production", **variables):
        return self.run([sys.executable, "manage.py", *args], settings=settings, **variables)

    def setting_values(self, *names, settings="production", **variables):
        """{name: value} of settings (values that are not JSON as their str()); raises
        ImproperlyConfigured with the child's error output if Django does not start."""
        result = self.python(SETTING_VALUES, *names, settings=settings, **variables)
        if result.returncode != 0:
            raise ImproperlyConfigured(result.stderr)
        return json.loads(result.stdout.strip().splitlines()[-1])


SETTINGS_READY = "import django; django.setup(); from django.conf import settings as s; "
SETTING_VALUES = (
    f"import json, sys; {SETTINGS_READY}"
    "print(json.dumps({n: getattr(s, n) for n in sys.argv[1:]}, default=str))"
)


@pytest.fixture
def django_process():
    """Run Django in a subprocess: ``django_process.manage("check", settings="production")``."""
    return DjangoProcess()


@pytest.fixture
def api_client():
    return APIClient()  # feature: not accept_header_versioning
    return APIClient(headers={"Accept": "application/json; version=1"})  # feature: accept_header_versioning


PASSWORD = "correct-horse-9"


def login_name(name):
    """What ``name`` signs in with: name@example.com, or the username itself."""
    return f"{name}@example.com" if get_user_model().USERNAME_FIELD == "email" else name


def credentials(name, password=PASSWORD):
    return {get_user_model().USERNAME_FIELD: login_name(name), "password": password}


@pytest.fixture
def make_user(db):
    """make_user("alice"): a user with the e-mail alice@example.com (and username alice)."""

    def make(name, password=PASSWORD, **fields):
        User = get_user_model()
        fields.setdefault("email", f"{name}@example.com")
        if User.USERNAME_FIELD != "email":
            fields["username"] = name
        return User.objects.create_user(password=password, **fields)

    return make


@pytest.fixture
def user(make_user):
    return make_user("alice")


@pytest.fixture
def other_user(make_user):
    return make_user("bob")


@pytest.fixture
def auth_client(user):
    client = APIClient()  # feature: not accept_header_versioning
    client = APIClient(headers={"Accept": "application/json; version=1"})  # feature: accept_header_versioning
    client.force_authenticate(user)
    return client
# begin feature: throttling


@pytest.fixture(autouse=True)
def fresh_rate_limit_counters(monkeypatch):
    """Rate-limit counters live in the cache: every test starts with none spent, and the
    throttles' clock stands still in the middle of every window (windows restart at
    multiples of their length, so a test that crossed an edge would see its count restart)."""
    cache.clear()
    midday = time.time() // 86400 * 86400 + 12 * 3600 + 30 * 60 + 30
    monkeypatch.setattr(
        "{{ cookiecutter.project_slug }}.throttling.throttles.SharedRateThrottle.timer",
        staticmethod(lambda: midday),
    )
    yield
    cache.clear()
# end feature: throttling
# begin feature: sentry


@pytest.fixture
def captured_sentry():
    """``events = captured_sentry(traces_sample_rate=..., send_default_pii=...)``: Sentry set
    up as production sets it up (init_sentry), each event and transaction it would send kept
    in ``events`` instead (read them after ``sentry_sdk.flush()``); no Sentry after the test."""
    project_sentry = import_module("{{ cookiecutter.project_slug }}.observability.sentry")
    events: list[dict[str, Any]] = []

    class Captured(sentry_sdk.transport.Transport):
        def capture_envelope(self, envelope):
            events.extend(
                item.payload.json
                for item in envelope.items
                if item.type in ("event", "transaction")
            )

    def start(*, traces_sample_rate: float, send_default_pii: bool = False) -> list[dict[str, Any]]:
        project_sentry.init_sentry(
            "http://public@127.0.0.1:9/1",
            environment="test",
            release="1.2.3",
            traces_sample_rate=traces_sample_rate,
            profiles_sample_rate=0.0,
            send_default_pii=send_default_pii,
            dedupe_window=0,
            transport=Captured,
        )
        return events

    yield start
    sentry_sdk.get_global_scope().set_client(None)  # back to no Sentry at all
# end feature: sentry
