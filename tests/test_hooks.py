"""Bad answers are refused before anything is written; markers prune exactly."""

import importlib.util
import subprocess
import sys

import pytest

from .support.template import TEMPLATE_DIR


def load_hook(name):
    spec = importlib.util.spec_from_file_location(name, TEMPLATE_DIR / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generate(tmp_path, **answers):
    args = [f"{key}={value}" for key, value in answers.items()]
    return subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(tmp_path), str(TEMPLATE_DIR), *args],
        capture_output=True,
        text=True,
        check=False,
    )


BAD_ANSWERS = [
    ("project_slug", "My-App"),
    ("project_slug", "2fast"),
    ("project_slug", "class"),
    ("project_slug", "django"),
    ("project_slug", "json"),
    ("project_slug", "config"),
    ("project_name", " "),
    ("project_name", 'Say "hi"'),
    ("description", "back\\slash"),
    ("author_email", "not-an-email"),
    ("author_email", "a@b"),
    ("domain_name", "https://example.com"),
    ("domain_name", "-bad.example.com"),
    ("domain_name", "10.0.0.1"),
    ("domain_name", "Example.com"),
    ("timezone", "Mars/Olympus_Mons"),
    ("anon_throttle_rate", "100/week"),
    ("user_throttle_rate", "0/hour"),
    ("sensitive_throttle_rate", "five per minute"),
]


@pytest.mark.parametrize(("prompt", "value"), BAD_ANSWERS)
def test_a_bad_answer_fails_with_one_line_naming_the_prompt(tmp_path, prompt, value):
    result = generate(tmp_path, **{prompt: value})

    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR: ")]
    assert len([e for e in errors if e.startswith(f"ERROR: {prompt}:")]) == 1, result.stderr
    assert list(tmp_path.iterdir()) == [], "a refused answer must leave nothing behind"


def test_good_unusual_answers_generate(tmp_path):
    result = generate(
        tmp_path,
        project_name="Acme Payments API",
        author_email="ops+api@acme.example.org",
        domain_name="api.payments.acme.example.org",
        timezone="Asia/Kolkata",
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "acme_payments_api" / "manage.py").exists()


def test_markers_keep_or_drop_lines_and_blocks():
    hook = load_hook("post_gen_project")
    enabled = {"alpha": True, "beta": False}
    text = (
        "keep\n"
        "x = 1  # feature: alpha\n"
        "y = 2  # feature: beta\n"
        "z = 3  # feature: not beta\n"
        "# begin feature: beta\n"
        "gone\n"
        "# end feature: beta\n"
        "<!-- begin feature: alpha -->\n"
        "doc line\n"
        "<!-- end feature: alpha -->\n"
        "w = 4  # feature: alpha and not beta\n"
    )

    assert hook.prune_lines(text, enabled, "f") == "keep\nx = 1\nz = 3\ndoc line\nw = 4\n"


def test_a_marker_naming_an_unknown_feature_stops_generation():
    hook = load_hook("post_gen_project")

    with pytest.raises(SystemExit, match="unknown feature 'typo'"):
        hook.prune_lines("x = 1  # feature: typo\n", {"alpha": True}, "f")


def test_dependencies_leave_only_when_no_enabled_feature_claims_them():
    hook = load_hook("post_gen_project")
    table = {
        "a": {"dependencies": ["shared", "only-a"]},
        "b": {"dependencies": ["shared"]},
    }
    text = 'dependencies = [\n    "only-a==1",\n    "shared[x]==2",\n    "core==3",\n]\n'

    pruned = hook.prune_dependencies(text, table, {"a": False, "b": True})

    assert pruned == 'dependencies = [\n    "shared[x]==2",\n    "core==3",\n]\n'


def test_pre_gen_checks_accept_the_defaults():
    hook = load_hook("pre_gen_project")
    answers = {
        "project_name": "RouteX",
        "project_slug": "routex",
        "author_email": "team@example.com",
        "domain_name": "example.com",
        "timezone": "UTC",
    }

    assert list(hook.problems(answers)) == []
