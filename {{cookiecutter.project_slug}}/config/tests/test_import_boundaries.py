"""Import boundaries between the project's packages (what import-linter would enforce).

Layers, bottom up:

- shared (``SHARED``): code every app may import (core: errors, client IP, checks, health);
  it imports no app of the project.
- feature apps (``FEATURE_APPS``): one concern each; each imports shared code and
  libraries, never another feature app or the API. Apps meet through settings (dotted
  paths, as DRF and Django do), signals and system checks.
- the API (``COMPOSITION``): its versions' views, serializers and URLs put the apps
  together, so it may import any of them.

Tests are exempt: a test of one app may drive another (signing in to test a rate limit).
A package of your own that no list names is held to the feature-app rule, so none slips
through unchecked; name it in ``SHARED`` or ``COMPOSITION`` when it is one of those.
"""

import ast
from pathlib import Path

import pytest

PROJECT_PACKAGE = "{{ cookiecutter.project_slug }}"
PACKAGE_DIR = Path(__file__).resolve().parents[2] / PROJECT_PACKAGE

SHARED = ("core",)
FEATURE_APPS = (
    "accounts",
    "backups",  # feature: db_backups
    "items",
    "mail",
    "observability",
    "security",
    "throttling",  # feature: throttling
    "users",  # feature: users
)
COMPOSITION = ("api",)


def imported_modules(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, absolute module name) for every import in the file ``module`` lives in."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            found.append((node.lineno, source))
            # "from .. import throttling" imports a package by its name.
            found += [(node.lineno, f"{source}.{alias.name}") for alias in node.names]
    return found


def app_of(module: str, project_package: str) -> str | None:
    parts = module.split(".")
    if parts[0] != project_package or len(parts) < 2:
        return None
    return parts[1]


def allowed_imports(app: str) -> set[str] | None:
    """The apps ``app`` may import; None: any of them."""
    if app in COMPOSITION:
        return None
    return set(SHARED) | {app}


def boundary_breaks(package_dir: Path, project_package: str) -> list[str]:
    """Every import, outside tests, that crosses a boundary the layers above forbid."""
    breaks = []
    for path in sorted(package_dir.rglob("*.py")):
        relative = path.relative_to(package_dir)
        if len(relative.parts) < 2 or "tests" in relative.parts:
            continue
        app = relative.parts[0]
        module = ".".join((project_package, *relative.with_suffix("").parts))
        for line, imported in imported_modules(path, module.removesuffix(".__init__")):
            target = app_of(imported, project_package)
            allowed = allowed_imports(app)
            if target is not None and allowed is not None and target not in allowed:
                breaks.append(f"{relative}:{line} ({app}) imports {imported} ({target})")
    return sorted(set(breaks))


def project_packages() -> set[str]:
    return {path.parent.name for path in PACKAGE_DIR.glob("*/__init__.py")}


def test_every_listed_package_exists():
    listed = set(SHARED + FEATURE_APPS + COMPOSITION)

    assert listed - project_packages() == set(), "a listed package no longer exists"


def test_feature_apps_import_neither_each_other_nor_the_api():
    assert boundary_breaks(PACKAGE_DIR, PROJECT_PACKAGE) == []


@pytest.mark.parametrize(
    ("importer", "source", "crosses"),
    [
        ("items/views.py", "from ..accounts.serializers import X\n", True),
        ("items/views.py", "from .. import api\n", True),
        ("core/health.py", "import {package}.items.models\n", True),
        ("items/views.py", "from ..core.exceptions import error_response\n", False),
        ("items/views.py", "from .models import Item\n", False),
        ("api/v1/views.py", "from ...items.models import Item\n", False),
        ("items/tests/test_api.py", "from ...accounts import views\n", False),
        # A package of your own that no list names is a feature app; the API may use it.
        ("fleet/views.py", "from ..items.models import Item\n", True),
        ("fleet/views.py", "from ..core.exceptions import error_response\n", False),
        ("api/v1/views.py", "from ...fleet.models import Vehicle\n", False),
    ],
)
def test_the_rule_sees_imports_that_cross_a_boundary(tmp_path, importer, source, crosses):
    package = tmp_path / "project"
    file = package / importer
    file.parent.mkdir(parents=True)
    file.write_text(source.format(package="project"))

    assert bool(boundary_breaks(package, "project")) is crosses
