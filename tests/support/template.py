"""What the tests know about the template: its prompts, its feature table, its pins."""

import importlib.util
import json
import re
import tomllib
from functools import cache
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parents[2]
PROJECT_TEMPLATE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
FEATURES_FILE = PROJECT_TEMPLATE / "features.toml"


def load_hook(name):
    """A hook module as cookiecutter would run it (before rendering: its own defaults)."""
    spec = importlib.util.spec_from_file_location(name, TEMPLATE_DIR / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def post_gen_hook():
    """The post-generation hook: the tests match features and markers with its functions."""
    return load_hook("post_gen_project")


@cache
def cookiecutter_json():
    return json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())


@cache
def feature_table():
    return tomllib.loads(FEATURES_FILE.read_text()).get("features", {})


def defaults():
    """Answers with --no-input: the first value of every choice, derived values rendered."""
    answers = {}
    for name, value in cookiecutter_json().items():
        if name.startswith("_"):
            continue
        answers[name] = value[0] if isinstance(value, list) else value
    return answers


def feature_enabled(row, answers):
    return post_gen_hook().rule_matches(row.get("when", {}), {**defaults(), **answers})


def normalized(name):
    return post_gen_hook().normalized(name)


def generated_project_metadata():
    """The [project] table of the template's pyproject.toml, pins rendered (all features)."""
    text = (PROJECT_TEMPLATE / "pyproject.toml").read_text()
    pins = cookiecutter_json()["_pins"]
    text = re.sub(r"{{\s*cookiecutter\._pins\.(\w+)\s*}}", lambda m: pins[m[1]], text)
    text = re.sub(r"{{[^}]*}}", "x", text)
    return tomllib.loads(text)["project"]


def all_generated_dependencies():
    """Every requirement the template can put in a generated pyproject.toml (all features)."""
    project = generated_project_metadata()
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements.extend(extra)
    return sorted(set(requirements))
