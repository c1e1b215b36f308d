"""Prune the generated project to the features that were chosen.

Everything is driven by features.toml (see its header): paths of disabled features are
deleted, their dependencies leave pyproject.toml, and lines or blocks marked with
``feature: NAME`` comments are kept or dropped. The lock files (requirements*.txt, one
hashed resolution of every feature's dependencies) keep only what the project's own
direct dependencies reach. Then the table itself is deleted and a local ``.env`` with a
fresh secret key is written. Standard library only, no network.
"""

import json
import re
import secrets
import shutil
import sys
import tomllib
from pathlib import Path

# Rendered by cookiecutter; the raw-string literal keeps this file valid Python before.
ANSWERS_JSON = r"""{{ cookiecutter | jsonify }}"""
TABLE_FILE = Path("features.toml")

COMMENT = r"(?:#|//|<!--|;)"
BLOCK_MARKER = re.compile(rf"^\s*{COMMENT}\s*(?P<kind>begin|end) feature:\s*(?P<cond>[a-z0-9_ ]+?)\s*(?:-->)?\s*$")
LINE_MARKER = re.compile(rf"\s*{COMMENT}\s*feature:\s*(?P<cond>[a-z0-9_ ]+?)\s*(?:-->)?\s*$")
REQUIREMENT = re.compile(r'^\s*"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)')
# requirements.txt locks runtime dependencies; requirements-dev.txt adds the dev extra.
LOCK_FILES = {"requirements.txt": (), "requirements-dev.txt": ("dev",)}
LOCKED_PACKAGE = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==")
VIA_ITEM = re.compile(r"^\s*#\s+(?:via\s+)?(?P<parent>\S.*?)\s*$")
FROM_PYPROJECT = " (pyproject.toml)"


def rule_matches(rule, answers):
    """A feature is on when every prompt in its ``when`` has (one of) the given value(s)."""
    for prompt, wanted in rule.items():
        choices = wanted if isinstance(wanted, list) else [wanted]
        if answers[prompt] not in choices:
            return False
    return True


def enabled_features(table, answers):
    return {name: rule_matches(row.get("when", {}), answers) for name, row in table.items()}


def condition_holds(condition, enabled, where):
    """Evaluate ``name``, ``not name`` and ``a and b`` against the enabled features."""
    result = True
    for term in condition.split(" and "):
        term = term.strip()
        negate = term.startswith("not ")
        name = term.removeprefix("not ").strip()
        if name not in enabled:
            raise SystemExit(f"ERROR: {where}: unknown feature {name!r} in a feature marker")
        result = result and enabled[name] != negate
    return result


def prune_lines(text, enabled, where):
    kept, stack = [], []
    for line in text.splitlines(keepends=True):
        block = BLOCK_MARKER.match(line)
        if block:
            if block["kind"] == "begin":
                stack.append(condition_holds(block["cond"], enabled, where))
            elif not stack:
                raise SystemExit(f"ERROR: {where}: 'end feature' without 'begin feature'")
            else:
                stack.pop()
            continue
        if not all(stack):
            continue
        marker = LINE_MARKER.search(line)
        if marker:
            if not condition_holds(marker["cond"], enabled, where):
                continue
            ending = line[len(line.rstrip("\r\n")) :]
            line = line[: marker.start()].rstrip() + ending
        kept.append(line)
    if stack:
        raise SystemExit(f"ERROR: {where}: 'begin feature' without 'end feature'")
    return "".join(kept)


def normalized(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def prune_dependencies(text, table, enabled):
    claimed_on = {normalized(d) for n, row in table.items() if enabled[n] for d in row.get("dependencies", [])}
    claimed_off = {normalized(d) for n, row in table.items() if not enabled[n] for d in row.get("dependencies", [])}
    unwanted = claimed_off - claimed_on
    kept = []
    for line in text.splitlines(keepends=True):
        requirement = REQUIREMENT.match(line)
        if requirement and normalized(requirement["name"]) in unwanted:
            continue
        kept.append(line)
    return "".join(kept)


def direct_dependencies(pyproject_text, extras):
    project = tomllib.loads(pyproject_text)["project"]
    requirements = list(project.get("dependencies", []))
    for extra in extras:
        requirements.extend(project.get("optional-dependencies", {}).get(extra, []))
    return {normalized(REQUIREMENT.match(f'"{r}')["name"]) for r in requirements}


def locked_packages(text):
    """(header lines, {name: {"lines": [...], "parents": [...]}}) of a uv pip compile file.

    Each entry is its requirement line, its hashes, then ``# via`` naming the packages
    that require it (the project itself as ``<name> (pyproject.toml)``).
    """
    header, packages, current = [], {}, None
    for line in text.splitlines(keepends=True):
        locked = LOCKED_PACKAGE.match(line)
        if locked:
            current = packages[normalized(locked["name"])] = {"lines": [line], "parents": []}
        elif current is None:
            header.append(line)
        elif line.lstrip().startswith("#"):
            item = VIA_ITEM.match(line)
            if item and item["parent"] != "via":
                current["parents"].append(item["parent"])
        else:
            current["lines"].append(line)
    return header, packages


def via_lines(parents):
    if len(parents) == 1:
        return [f"    # via {parents[0]}\n"]
    return ["    # via\n", *(f"    #   {parent}\n" for parent in parents)]


def still_requires(parent, name, direct, reached):
    if parent.endswith(FROM_PYPROJECT):
        return name in direct
    return normalized(parent) in reached


def prune_lock(text, direct, where):
    """Keep the packages the direct dependencies reach; their ``# via`` lists follow."""
    header, packages = locked_packages(text)
    missing = sorted(direct - packages.keys())
    if missing:
        raise SystemExit(f"ERROR: {where} locks no version of {', '.join(missing)} (scripts/lock_dependencies.py)")
    required_by = {name: [] for name in packages}
    for name, package in packages.items():
        for parent in package["parents"]:
            if not parent.endswith(FROM_PYPROJECT):
                required_by.setdefault(normalized(parent), []).append(name)
    reached, pending = set(), sorted(direct)
    while pending:
        name = pending.pop()
        if name not in reached:
            reached.add(name)
            pending.extend(required_by.get(name, []))
    kept = list(header)
    for name, package in packages.items():
        if name not in reached:
            continue
        parents = [parent for parent in package["parents"] if still_requires(parent, name, direct, reached)]
        kept.extend(package["lines"])
        kept.extend(via_lines(parents))
    return "".join(kept)


def prune_locks(root):
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    for name, extras in LOCK_FILES.items():
        lock = root / name
        if lock.exists():
            pruned = prune_lock(lock.read_text(encoding="utf-8"), direct_dependencies(pyproject, extras), name)
            lock.write_text(pruned, encoding="utf-8")


def remove(path):
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def remove_empty_dirs(root):
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


def text_files(root):
    for path in sorted(root.rglob("*")):
        if path.is_file() and ".git" not in path.parts:
            try:
                yield path, path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue


def write_local_env(root):
    env_file = root / ".env"
    if not env_file.exists():
        env_file.write_text(
            "# Local settings only; never commit this file (.gitignore covers it).\n"
            f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n",
            encoding="utf-8",
        )


def main(root=None, answers=None):
    root = root or Path.cwd()
    answers = answers or json.loads(ANSWERS_JSON)
    table = tomllib.loads((root / TABLE_FILE).read_text(encoding="utf-8")).get("features", {})
    enabled = enabled_features(table, answers)
    for name, row in table.items():
        if not enabled[name]:
            for relative in row.get("paths", []):
                remove(root / relative)
    remove(root / TABLE_FILE)
    for path, text in text_files(root):
        pruned = prune_lines(text, enabled, path.relative_to(root))
        if path.name == "pyproject.toml" and path.parent == root:
            pruned = prune_dependencies(pruned, table, enabled)
        if pruned != text:
            path.write_text(pruned, encoding="utf-8")
    prune_locks(root)
    remove_empty_dirs(root)
    write_local_env(root)


if __name__ == "__main__":
    sys.exit(main())
