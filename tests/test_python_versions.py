"""The generated project works on every Python the template supports (3.11-3.13)."""

import glob
import shutil

import pytest

from .support.project import Project, shared_venv
from .support.template import TEMPLATE_DIR
from .support.tools import unavailable


def find_python(version):
    # pyenv's shims only answer for the active version, so look for the real binaries first.
    candidates = sorted(glob.glob(f"/root/.pyenv/versions/{version}.*/bin/python{version}"), reverse=True)
    candidates += [p for p in [shutil.which(f"python{version}")] if p and "shims" not in p]
    return candidates[0] if candidates else None


@pytest.mark.parametrize("version", ["3.12", "3.13"])
def test_default_project_passes_its_checks_and_tests_on(cookies, version):
    python = find_python(version)
    if python is None:
        unavailable(f"Python {version} is not installed here (pyenv install {version})")
    result = cookies.bake(template=str(TEMPLATE_DIR))
    assert result.exit_code == 0, result.exception
    project = Project(result.project_path, shared_venv(python))

    project.manage("check", "--fail-level", "WARNING")
    project.manage("makemigrations", "--check", "--dry-run")
    project.run("python", "-m", "pytest", "-q", "-x")
