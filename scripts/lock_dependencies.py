"""Re-resolve the lock files every generated project starts from.

    .venv/bin/python scripts/lock_dependencies.py            # after adding or changing a pin
    .venv/bin/python scripts/lock_dependencies.py --upgrade  # everything to its newest release

The template's pyproject.toml lists every dependency any combination of answers can
need (features.toml prunes them per project), so one universal resolution of that union
(runtime, and runtime plus the dev extra) covers every project on every supported
Python. The post-generation hook keeps, for each project, only the packages reachable
from its own direct dependencies through the ``# via`` annotations.

The lock files are resolved in a folder laid out like a generated project, with the
generated project's own command (the one its ``scripts/lock_dependencies.sh`` runs and
the lock headers record), so the headers are right for the project as they stand.
Needs the network and the uv pinned in the template's pyproject.toml.
"""

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
PROJECT_TEMPLATE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
# A name no dependency has; it stands for the project in the "# via" annotations.
PLACEHOLDER = "routex-project-placeholder"
SLUG = "{{ cookiecutter.project_slug }}"
LOCK_FILES = {"requirements.txt": [], "requirements-dev.txt": ["--extra", "dev"]}


def compile_command(python_min, extra_args):
    """The generated project's own uv command (scripts/lock_dependencies.sh runs the same)."""
    return ["pip", "compile", "pyproject.toml", "--universal", "--python-version", python_min,
            "--generate-hashes", *extra_args]  # fmt: skip


def rendered_pyproject(pins):
    text = (PROJECT_TEMPLATE / "pyproject.toml").read_text(encoding="utf-8")
    text = re.sub(r"{{\s*cookiecutter\._pins\.(\w+)\s*}}", lambda m: pins[m[1]], text)
    text = text.replace(SLUG, PLACEHOLDER)
    return re.sub(r"{{[^}]*}}", "x", text)


def uv_executable():
    found = Path(sys.executable).parent / "uv"
    if not found.exists():
        raise SystemExit("uv is missing from this virtualenv: .venv/bin/pip install -e .")
    return str(found)


def main(arguments):
    pins = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))["_pins"]
    uv = uv_executable()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "pyproject.toml").write_text(rendered_pyproject(pins), encoding="utf-8")
        for name, extra_args in LOCK_FILES.items():
            current = PROJECT_TEMPLATE / name
            if current.exists():  # uv keeps its versions as preferences (unless --upgrade)
                shutil.copy(current, work / name)
            command = [uv, *compile_command(pins["python_min"], extra_args), "-o", name]
            subprocess.run([*command, "--quiet", *arguments], cwd=work, check=True)
            # uv leaves --quiet and --upgrade out of the header: it is the project's command.
            text = (work / name).read_text(encoding="utf-8").replace(PLACEHOLDER, SLUG)
            current.write_text(text, encoding="utf-8")
            print(f"{current.relative_to(TEMPLATE_DIR)}: {text.count('==')} packages")


if __name__ == "__main__":
    main(sys.argv[1:])
