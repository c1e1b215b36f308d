"""The template itself: readable before rendering, and its tables consistent."""

import ast
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from .support.template import PROJECT_TEMPLATE, TEMPLATE_DIR, cookiecutter_json, feature_table, post_gen_hook

PROMPTS = {k: v for k, v in cookiecutter_json().items() if not k.startswith("_")}
PYTHON_FILES = sorted(p for p in TEMPLATE_DIR.rglob("*.py") if not {".venv", ".cache", "node_modules"} & set(p.parts))


@pytest.mark.parametrize("path", PYTHON_FILES, ids=lambda p: str(p.relative_to(TEMPLATE_DIR)))
def test_every_python_file_is_valid_python_before_rendering(path):
    ast.parse(path.read_text(), filename=str(path))


def test_every_prompt_has_a_question_and_a_docs_page():
    questions = cookiecutter_json()["__prompts__"]
    for prompt in PROMPTS:
        assert prompt in questions, f"{prompt} has no question in __prompts__"
        assert (TEMPLATE_DIR / "docs" / "prompts" / f"{prompt}.md").exists(), f"docs/prompts/{prompt}.md"


def test_switches_are_real_json_booleans():
    for prompt, value in PROMPTS.items():
        if prompt.startswith("use_"):
            assert isinstance(value, bool), f"{prompt} must be a JSON boolean"


def test_feature_table_names_real_prompts_values_and_paths():
    for name, row in feature_table().items():
        assert set(row) <= {"when", "paths", "dependencies", "traces"}, name
        for prompt, wanted in row["when"].items():
            assert prompt in PROMPTS, f"{name}: unknown prompt {prompt}"
            allowed = PROMPTS[prompt] if isinstance(PROMPTS[prompt], list) else [True, False]
            for value in wanted if isinstance(wanted, list) else [wanted]:
                assert value in allowed, f"{name}: {prompt} has no value {value!r}"
        for relative in row.get("paths", []):
            relative = re.sub(r"{{\s*cookiecutter\.project_slug\s*}}", "{{cookiecutter.project_slug}}", relative)
            assert (PROJECT_TEMPLATE / relative).exists(), f"{name}: {relative} is not in the template"


def test_every_feature_marker_names_a_feature_in_the_table():
    hook = post_gen_hook()
    every_feature_on = dict.fromkeys(feature_table(), True)
    for path in PROJECT_TEMPLATE.rglob("*"):
        if not path.is_file():
            continue
        try:
            lines = path.read_text().splitlines()
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(lines, 1):
            found = hook.BLOCK_MARKER.match(line) or hook.LINE_MARKER.search(line)
            if found and path.name != "features.toml":
                where = f"{path.relative_to(TEMPLATE_DIR)}:{number}"
                try:  # the hook's own evaluation, which stops generation on an unknown feature
                    hook.condition_holds(found["cond"], every_feature_on, where)
                except SystemExit as refused:
                    pytest.fail(str(refused))


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second():
    readme = (TEMPLATE_DIR / "README.md").read_text()
    head = readme.split("## ")[0]
    blocks = re.findall(r"```sh\n(.*?)\n```", head, re.DOTALL)
    assert len(blocks) == 2, "the README starts with exactly two set-up commands"
    assert "cookiecutter --no-input" in blocks[0] and "runserver" in blocks[0]
    assert blocks[1] in (TEMPLATE_DIR / ".ci" / "run").read_text()


def test_the_template_code_itself_is_lint_clean():
    ruff = Path(sys.executable).parent / "ruff"
    targets = ["hooks", "tests", "benchmarks", "scripts"]
    subprocess.run([ruff, "check", *targets], cwd=TEMPLATE_DIR, check=True)
    subprocess.run([ruff, "format", "--check", *targets], cwd=TEMPLATE_DIR, check=True)


def toml_tables(table, name=None):
    """A table of strings, numbers and lists of strings as TOML text (JSON scalars are TOML)."""
    scalars = [
        f"{json.dumps(key)} = {json.dumps(value)}" for key, value in table.items() if not isinstance(value, dict)
    ]
    lines = ([f"[{name}]"] if name else []) + scalars
    for key, value in table.items():
        if isinstance(value, dict):
            lines += ["", toml_tables(value, f"{name}.{json.dumps(key)}" if name else json.dumps(key))]
    return "\n".join(lines)


def test_the_unrendered_project_passes_its_own_ruff_configuration(tmp_path):
    """Either-or variants live in files of their own, so every line of the unrendered project
    is code that ruff, configured as the generated project configures it, accepts."""
    ruff_config = tomllib.loads((PROJECT_TEMPLATE / "pyproject.toml").read_text())["tool"]["ruff"]
    # The package folder is still called by its template name before rendering.
    isort = ruff_config["lint"]["isort"]
    isort["known-first-party"] = [
        PROJECT_TEMPLATE.name if name == "{{ cookiecutter.project_slug }}" else name
        for name in isort["known-first-party"]
    ]
    config = tmp_path / "ruff.toml"
    config.write_text(toml_tables(ruff_config) + "\n")
    ruff = Path(sys.executable).parent / "ruff"
    # --no-cache: a .ruff_cache folder inside the template would become part of every project.
    # pyproject.toml itself is a template (its version pins are Jinja until rendered).
    result = subprocess.run(
        [
            ruff,
            "check",
            "--no-cache",
            "--config",
            config,
            "--extend-exclude",
            "pyproject.toml",
            "--output-format",
            "concise",
            ".",
        ],
        cwd=PROJECT_TEMPLATE,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (PROJECT_TEMPLATE / ".ruff_cache").exists()
