"""Prune the generated project to the features that were chosen.

Everything is driven by features.toml (see its header): paths of disabled features are
deleted, their dependencies leave pyproject.toml, and lines or blocks marked with
``feature: NAME`` comments are kept or dropped. Then the table itself is deleted and a
local ``.env`` with a fresh secret key is written. Standard library only, no network.
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
    remove_empty_dirs(root)
    write_local_env(root)


if __name__ == "__main__":
    sys.exit(main())
