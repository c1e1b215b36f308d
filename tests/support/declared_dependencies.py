"""Run inside a generated project with the shared venv: print imports nobody declared.

Every third-party module the project imports in code, or names in INSTALLED_APPS,
MIDDLEWARE or other dotted settings, must come from a distribution listed in its own
pyproject.toml. (The shared venv has every dependency installed, so without this check a
missing pin would go unnoticed.)
"""

import ast
import importlib.metadata
import os
import re
import sys
import tomllib
from pathlib import Path

root = Path.cwd()
project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
declared = {
    re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", req)[0]).lower()
    for req in [
        *project["dependencies"],
        *(r for extra in project.get("optional-dependencies", {}).values() for r in extra),
    ]
}
local = {p.name for p in root.iterdir() if p.is_dir()} | {p.stem for p in root.glob("*.py")}

used = set()
for path in root.rglob("*.py"):
    if ".venv" in path.parts:
        continue
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            used.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            used.add(node.module.split(".")[0])

sys.path.insert(0, str(root))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
import django  # noqa: E402
from django.conf import settings  # noqa: E402

django.setup()


def dotted_strings(value):
    if isinstance(value, str) and re.fullmatch(r"[a-z_][a-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+", value):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from dotted_strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from dotted_strings(item)


for name in dir(settings):
    if name.isupper():
        used.update(s.split(".")[0] for s in dotted_strings(getattr(settings, name)))

providers = importlib.metadata.packages_distributions()
missing = []
for module in sorted(used - local - set(sys.stdlib_module_names)):
    dists = {re.sub(r"[-_.]+", "-", d).lower() for d in providers.get(module, [])}
    if dists and not dists & declared:
        missing.append(f"{module} (from {', '.join(sorted(dists))})")
print("\n".join(missing))
