"""Prune the generated project to the features that were chosen.

Everything is driven by features.toml (see its header): paths of disabled features are
deleted, their dependencies leave pyproject.toml, and lines or blocks marked with
``feature: NAME`` comments are kept or dropped. The lock files (requirements*.txt, one
hashed resolution of every feature's dependencies) keep only what the project's own
direct dependencies reach. Then the table itself is deleted, a local ``.env`` with a
fresh secret key is written, and, when the template is a git checkout, ``.cruft.json``
records where the project came from so that ``cruft check``, ``cruft diff`` and
``cruft update`` work for a project made with plain cookiecutter. Standard library only
(git metadata is read from files, git itself is never run), no network.
"""

import json
import os
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
CRUFT_FILE = ".cruft.json"
# What plain cookiecutter adds to the context about this run, which cruft does not record.
COOKIECUTTER_RUN_KEYS = ("_output_dir", "_repo_dir", "_checkout")
SHA = re.compile(r"[0-9a-f]{40}")
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


def git_dir_of(folder):
    """The git directory of the checkout holding ``folder`` and its top level, or (None, None).

    ``.git`` is a folder in an ordinary clone and a ``gitdir: PATH`` file in a worktree.
    """
    for top in (folder, *folder.parents):
        marker = top / ".git"
        if marker.is_dir():
            return marker, top
        if marker.is_file():
            pointer = marker.read_text(encoding="utf-8").strip()
            if pointer.startswith("gitdir:"):
                return (top / pointer.removeprefix("gitdir:").strip()).resolve(), top
    return None, None


def common_dir_of(git_dir):
    """Where refs and config live: the git directory itself, or the main one of a worktree."""
    pointer = git_dir / "commondir"
    if pointer.is_file():
        return (git_dir / pointer.read_text(encoding="utf-8").strip()).resolve()
    return git_dir


def resolve_ref(git_dir, ref):
    common = common_dir_of(git_dir)
    for folder in (git_dir, common):
        loose = folder / ref
        if loose.is_file():
            return head_commit_from(git_dir, loose.read_text(encoding="utf-8").strip())
    packed = common / "packed-refs"
    if packed.is_file():
        for line in packed.read_text(encoding="utf-8").splitlines():
            sha, _, name = line.partition(" ")
            if name == ref and SHA.fullmatch(sha):
                return sha
    return None


def head_commit_from(git_dir, content):
    """A commit id, following ``ref: refs/heads/...`` (loose or packed) when HEAD names a branch."""
    if content.startswith("ref:"):
        return resolve_ref(git_dir, content.removeprefix("ref:").strip())
    return content if SHA.fullmatch(content) else None


def origin_url(git_dir):
    """The ``url`` of ``[remote "origin"]`` in the repository's config, if there is one."""
    config = common_dir_of(git_dir) / "config"
    if not config.is_file():
        return None
    section = None
    for line in config.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == '[remote "origin"]' and re.match(r"url\s*=", line):
            return line.split("=", 1)[1].strip()
    return None


def from_invocation_dir(path):
    """A path as cookiecutter was given it, made absolute.

    Hooks run from the new project's folder; a relative path is relative to the folder
    cookiecutter was started from, which the shell keeps in PWD.
    """
    path = Path(path)
    return path if path.is_absolute() else Path(os.environ.get("PWD", "")) / path


def template_checkout(answers):
    """The folder cookiecutter rendered the template from, absolute, or None if unknown."""
    if not answers.get("_repo_dir"):
        return None
    repo_dir = from_invocation_dir(answers["_repo_dir"])
    if not (repo_dir / "cookiecutter.json").is_file():
        return None
    return repo_dir.resolve()


def in_template_order(value, raw):
    """cookiecutter's jsonify sorts keys; cruft keeps cookiecutter.json's order (nested too)."""
    if not isinstance(value, dict):
        return value
    raw = raw if isinstance(raw, dict) else {}
    order = list(raw)
    names = sorted(value, key=lambda name: order.index(name) if name in order else len(order))
    return {name: in_template_order(value[name], raw.get(name)) for name in names}


def cruft_state(answers):
    """What ``cruft create`` would have written (cruft 2.16's format), or a reason to skip."""
    if "_commit" in answers:
        return None, "cruft is generating this project and records .cruft.json itself"
    repo_dir = template_checkout(answers)
    if repo_dir is None:
        return None, f"cannot locate the template {answers.get('_template')!r} on disk"
    git_dir, top = git_dir_of(repo_dir)
    if git_dir is None:
        return None, f"the template at {repo_dir} is not a git checkout"
    commit = head_commit_from(git_dir, (git_dir / "HEAD").read_text(encoding="utf-8").strip())
    if commit is None:
        return None, f"the template checkout at {repo_dir} has no commit checked out"
    if from_invocation_dir(answers["_template"]).is_dir():
        url = str(top)  # a local checkout, recorded by its absolute path as cruft does
    else:
        url = origin_url(git_dir) or answers["_template"]  # cloned by cookiecutter from a URL
    raw = json.loads((repo_dir / "cookiecutter.json").read_text(encoding="utf-8"))
    context = in_template_order(answers, raw)
    for name in COOKIECUTTER_RUN_KEYS:
        context.pop(name, None)
    context.update(_template=url, _commit=commit)
    directory = repo_dir.relative_to(top.resolve()).as_posix()
    state = {
        "template": url,
        "commit": commit,
        "checkout": answers.get("_checkout"),
        "context": {"cookiecutter": context},
        "directory": None if directory == "." else directory,
    }
    return state, None


def record_cruft_state(root, answers):
    """Write .cruft.json as cruft would, so the project can take template updates later."""
    state, reason = cruft_state(answers)
    if state is None:
        print(f"{CRUFT_FILE} not written: {reason}.")
        return
    text = json.dumps(state, ensure_ascii=False, indent=2, separators=(",", ": ")) + "\n"
    (root / CRUFT_FILE).write_text(text, encoding="utf-8")


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
    record_cruft_state(root, answers)


if __name__ == "__main__":
    sys.exit(main())
