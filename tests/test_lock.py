"""Every project's lock files: exactly its own dependencies, installable with hashes enforced.

A project's lock files are a function of its direct dependencies alone (the hook keeps
what they reach in the template's resolution), so the matrix cases are grouped by their
direct dependencies, predicted from features.toml, and each group is baked, installed and
re-resolved once. The first check of each group proves the prediction against the bake.
"""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections import defaultdict

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .support.matrix import cases
from .support.project import UV, UV_CACHE_DIR, install_lock
from .support.template import (
    PROJECT_TEMPLATE,
    TEMPLATE_DIR,
    all_generated_dependencies,
    cookiecutter_json,
    defaults,
    feature_enabled,
    feature_table,
    generated_project_metadata,
)

LOCKS = {"requirements.txt": False, "requirements-dev.txt": True}  # lock file: holds the dev extra
ENTRY = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)(?: ; (?P<marker>[^\\]+?))? \\$", re.M)


def predicted_direct_dependencies(answers, dev):
    """What features.toml leaves in the project's pyproject.toml for these answers."""
    answers = {**defaults(), **answers}
    table = feature_table()
    claimed_on = {
        canonicalize_name(d) for row in table.values() if feature_enabled(row, answers) for d in row["dependencies"]
    }
    claimed_off = {
        canonicalize_name(d) for row in table.values() if not feature_enabled(row, answers) for d in row["dependencies"]
    }
    dropped = claimed_off - claimed_on
    template = generated_project_metadata()
    requirements = template["dependencies"] + (template["optional-dependencies"]["dev"] if dev else [])
    return frozenset(
        name for name in (canonicalize_name(Requirement(r).name) for r in requirements) if name not in dropped
    )


def lock_script():
    """scripts/lock_dependencies.py, which renders the template's pyproject.toml to lock it."""
    spec = importlib.util.spec_from_file_location(
        "lock_dependencies", TEMPLATE_DIR / "scripts" / "lock_dependencies.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def groups():
    found = defaultdict(list)
    for case_id, answers in cases():
        key = tuple(predicted_direct_dependencies(answers, dev) for dev in LOCKS.values())
        found[key].append((case_id, answers))
    return list(found.values())


GROUPS = groups()


def locked(text):
    """{name: (version, marker or None)} of a uv pip compile file."""
    return {canonicalize_name(m["name"]): (m["version"], m["marker"]) for m in ENTRY.finditer(text)}


def direct_requirements(project_path, dev):
    project = tomllib.loads((project_path / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in project["dependencies"] + (project["optional-dependencies"]["dev"] if dev else [])]


def uv(*args, cwd=None):
    env = {**os.environ, "UV_CACHE_DIR": str(UV_CACHE_DIR)}
    result = subprocess.run([UV, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"uv {' '.join(map(str, args))}:\n{result.stdout}{result.stderr}"
    return result.stdout


def test_the_template_lock_covers_every_pin_of_the_template():
    """scripts/lock_dependencies.py has run since the last change to a pin."""
    template_lock = locked((PROJECT_TEMPLATE / "requirements-dev.txt").read_text())
    for requirement in map(Requirement, all_generated_dependencies()):
        name = canonicalize_name(requirement.name)
        assert name in template_lock, f"{name} is not in the template's lock: run scripts/lock_dependencies.py"
        version, _ = template_lock[name]
        assert requirement.specifier.contains(version), (
            f"{requirement} but {version} locked: run scripts/lock_dependencies.py"
        )


def test_the_lock_headers_are_the_command_the_project_documents(bake):
    project = bake()
    script = (project.path / "scripts" / "lock_dependencies.sh").read_text()
    for name in LOCKS:
        header = (project.path / name).read_text().splitlines()[1].removeprefix("#").strip()
        assert f'{header} "$@"' in script, f"{name}: its header is not what scripts/lock_dependencies.sh runs"


@pytest.fixture(scope="module")
def index_in_cache(tmp_path_factory):
    """The index pages and metadata of every package any project locks, in the shared uv cache.

    One online resolution of the template's own (all-features) lock; every project's
    re-resolution below then runs offline, so it can only pick from the same index state.
    """
    folder = tmp_path_factory.mktemp("template-lock")
    for name in LOCKS:
        shutil.copy(PROJECT_TEMPLATE / name, folder / name)
    (folder / "pyproject.toml").write_text(lock_script().rendered_pyproject(cookiecutter_json()["_pins"]))
    for name in LOCKS:
        uv("pip", "compile", *recorded_arguments(folder / name), cwd=folder)


@pytest.mark.parametrize("group", GROUPS, ids=[f"{g[0][0]}+{len(g) - 1}" for g in GROUPS])
def test_each_lock_installs_with_hashes_matches_pyproject_and_is_exactly_what_uv_resolves(
    bake, tmp_path, group, index_in_cache
):
    case_id, answers = group[0]
    project = bake(**answers)
    for lock_name, dev in LOCKS.items():
        requirements = direct_requirements(project.path, dev)
        assert {canonicalize_name(r.name) for r in requirements} == predicted_direct_dependencies(answers, dev)
        entries = locked((project.path / lock_name).read_text())

        # Every direct dependency is locked at a version its specifier allows.
        for requirement in requirements:
            version, _ = entries[canonicalize_name(requirement.name)]
            assert requirement.specifier.contains(version), f"{lock_name}: {requirement} but {version} locked"

        # Installed with hashes enforced and --no-deps, then checked: nothing is missing
        # (uv pip check), and nothing installed is absent from the lock.
        venv = tmp_path / lock_name.removesuffix(".txt")
        install_lock(sys.executable, project.path / lock_name, venv)
        installed = dict(line.split("==") for line in uv("pip", "freeze", "--python", venv / "bin" / "python").split())
        installed = {canonicalize_name(name): version for name, version in installed.items()}
        assert {n: v for n, v in installed.items() if entries.get(n, (None,))[0] != v} == {}, "installed, not locked"
        unconditional = {n: v for n, (v, marker) in entries.items() if marker is None}
        assert unconditional.items() <= installed.items(), "locked but not installed"

    # The project's own refresh command (the lock headers), with the hook's lock files as
    # version preferences as always, from the same index, resolves the very same packages:
    # the hook kept nothing the project does not need and dropped nothing it needs.
    fresh = tmp_path / "fresh"
    shutil.copytree(project.path, fresh)
    for lock_name in LOCKS:
        uv("pip", "compile", "--offline", *recorded_arguments(fresh / lock_name), cwd=fresh)
        kept = {n: v for n, (v, _) in locked((project.path / lock_name).read_text()).items()}
        resolved = {n: v for n, (v, _) in locked((fresh / lock_name).read_text()).items()}
        assert kept == resolved, f"{case_id} {lock_name}: {set(kept.items()) ^ set(resolved.items())}"


def recorded_arguments(lock):
    """The arguments of the ``uv pip compile`` command a lock file records in its header."""
    header = lock.read_text().splitlines()[1].removeprefix("#").split()
    assert header[:3] == ["uv", "pip", "compile"], header
    return [*header[3:], "--quiet"]
