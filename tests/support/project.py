"""Running a generated project's own commands, with one shared virtual environment.

Installing dependencies once per test session, not once per bake, keeps the matrix fast:
the environment holds every dependency any feature can need, installed from the
template's lock (the all-features resolution every project's lock is cut from, hashes
enforced), and each generated project runs from its own folder (never installed into it).
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from filelock import FileLock

from .template import PROJECT_TEMPLATE, TEMPLATE_DIR

CACHE_DIR = TEMPLATE_DIR / ".cache"
# One download cache for every environment the tests build from lock files.
UV_CACHE_DIR = CACHE_DIR / "uv"
UV = Path(sys.executable).parent / "uv"
TEMPLATE_LOCK = PROJECT_TEMPLATE / "requirements-dev.txt"


def python_version(python):
    return subprocess.run(
        [python, "-c", "import sys; print(f'{sys.version_info[0]}{sys.version_info[1]}')"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


def install_lock(python, lock, target, seed=False, compile_bytecode=False):
    """A fresh virtualenv with exactly what ``lock`` pins: hashes enforced, nothing else
    (``seed`` adds pip, for tests that run it in the environment; ``compile_bytecode``
    writes the .pyc files at install, as pip does, so a first import is not slower).

    ``--no-deps`` installs only what is listed; ``uv pip check`` then fails if anything a
    package requires is missing, so a lock that forgot a dependency cannot pass.
    """
    env = {**os.environ, "UV_CACHE_DIR": str(UV_CACHE_DIR)}
    seeding = ["--seed"] if seed else []
    subprocess.run([UV, "venv", "--quiet", "--clear", *seeding, "--python", python, target], check=True, env=env)
    interpreter = Path(target) / "bin" / "python"
    compiling = ["--compile-bytecode"] if compile_bytecode else []
    for command in (["install", "--require-hashes", "--no-deps", *compiling, "-r", lock], ["check"]):
        result = subprocess.run([UV, "pip", *command, "--python", interpreter], env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise AssertionError(f"uv pip {' '.join(map(str, command))} failed:\n{result.stdout}{result.stderr}")


def shared_venv(python=sys.executable, requirements=None):
    """A venv with the template's lock installed (hashes enforced), cached by its hash;
    with ``requirements`` (an older project's pins), one with exactly those instead."""
    if requirements is not None:
        return venv_for_requirements(python, sorted(requirements))
    lock = TEMPLATE_LOCK.read_text()
    digest = hashlib.sha256(f"{lock}\ncompiled, pip seeded".encode()).hexdigest()[:12]
    target = CACHE_DIR / f"generated-venv-{python_version(python)}-{digest}"
    CACHE_DIR.mkdir(exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if not (target / "ready").exists():
            install_lock(python, TEMPLATE_LOCK, target, seed=True, compile_bytecode=True)
            (target / "ready").write_text(lock)
    return target


def venv_for_requirements(python, requirements):
    digest = hashlib.sha256("\n".join(requirements).encode()).hexdigest()[:12]
    target = CACHE_DIR / f"generated-venv-{python_version(python)}-{digest}"
    CACHE_DIR.mkdir(exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if not (target / "ready").exists():
            subprocess.run([python, "-m", "venv", "--clear", str(target)], check=True)
            subprocess.run([target / "bin" / "python", "-m", "pip", "install", "-q", *requirements], check=True)
            (target / "ready").write_text("\n".join(requirements))
    return target


def mypy_cache_dir(venv_dir):
    """One mypy cache per environment and test worker, kept between runs.

    Every bake imports the same stubs (django-stubs, djangorestframework-stubs, ...). The
    django-stubs plugin invalidates entries written under other INSTALLED_APPS, so the
    cache pays off most when a case runs again. One per worker, because two mypy
    processes writing one cache at once would race.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return CACHE_DIR / f"mypy-{Path(venv_dir).name}-{worker}"


def clean_env(**extra):
    """The environment a fresh shell would give the project: none of our Django variables."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "SENTRY_", "PYTEST_", "JWT_"))
    }
    env.update(extra)
    return env


class Project:
    def __init__(self, path, venv_dir):
        self.path = Path(path)
        self.venv = Path(venv_dir)

    def run(self, *args, env=None, timeout=600, check=True):
        """Run a command from the venv's bin (python, ruff, pytest...) inside the project."""
        executable = self.venv / "bin" / args[0]
        result = subprocess.run(
            [str(executable), *args[1:]],
            cwd=self.path,
            env=clean_env(**(env or {})),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{' '.join(map(str, args))} failed in {self.path.name} "
                f"(exit {result.returncode})\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
            )
        return result

    def typecheck(self):
        """The project's own mypy configuration (pyproject.toml), over the whole project."""
        cache = mypy_cache_dir(self.venv)
        return self.run("mypy", "--cache-dir", str(cache), "--sqlite-cache", ".")

    def manage(self, *args, env=None, check=True):
        return self.run("python", "manage.py", *args, env=env, check=check)

    def files(self):
        return sorted(p for p in self.path.rglob("*") if p.is_file())


def production_env(secrets_only=False, **extra):
    """What a real deployment sets, minus anything secret-looking that is not random.

    The one builder of a production environment for the template's tests and benchmarks;
    a variable given as None is left out (``REDIS_URL=None``: no shared cache).
    ``secrets_only``: just the random keys (what a Secret holds), for a test whose other
    variables come from a rendered file (an image, a ConfigMap) and must stand alone."""
    secrets = {
        "DJANGO_SECRET_KEY": hashlib.sha256(os.urandom(32)).hexdigest() + "-Zx9!",
        # Production requires it with api_auth=jwt; the token answer never reads it.
        "JWT_SIGNING_KEY": hashlib.sha256(os.urandom(32)).hexdigest(),
    }
    env = (
        secrets
        if secrets_only
        else {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_READ_DOT_ENV_FILE": "false",
            **secrets,
            "DJANGO_ALLOWED_HOSTS": "api.example.com",
            "REDIS_URL": "redis://127.0.0.1:6399/0",
        }
    )
    env.update(extra)
    return {name: value for name, value in env.items() if value is not None}
