"""Git and cruft around a generated project: template checkouts, commits, leftover conflicts."""

import re
import shutil
import subprocess

from .project import clean_env

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Template Test", "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Template Test", "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
}  # fmt: skip
COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", ".cache", "__pycache__", ".ruff_cache", "site", "*.egg-info")


def run(*args, cwd, env=None, check=True, timeout=300):
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def git(*args, cwd, check=True):
    return run("git", "-c", "init.defaultBranch=main", *args, cwd=cwd, env=clean_env(**GIT_ENV), check=check)


def conflicts(root):
    """*.rej files and git conflict markers left anywhere in a project."""
    found = [str(p) for p in root.rglob("*.rej")]
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            text = path.read_text(errors="ignore")
            if re.search(r"^(<{7}|>{7})( |$)", text, re.MULTILINE):
                found.append(str(path))
    return found
