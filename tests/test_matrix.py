"""Every combination of answers yields a project that clears the contract's bars.

For each case of the matrix (all on, all off, each feature off alone, pairwise): no
template residue, nothing of a disabled feature, every import declared, ruff and mypy
clean (no mypy setting left for a library that is gone), ``check`` and
``check --deploy --fail-level WARNING`` clean, no missing migration, and the project's
own test suite green.
"""

import json
import re
import tomllib
from pathlib import Path

import pytest

from .support.matrix import cases, prompt_space
from .support.project import production_env
from .support.template import defaults, feature_enabled, feature_table, normalized

CASES = cases()
DECLARED_DEPENDENCIES = Path(__file__).parent / "support" / "declared_dependencies.py"
# "${{ ... }}" is GitHub Actions' own expression syntax (secrets can be read no other way),
# not template residue.
RESIDUE = re.compile(r"(?<!\$){{|{%|cookiecutter", re.IGNORECASE)
MARKER = re.compile(r"(#|<!--|//|;)\s*(begin |end )?feature:")
# cruft's record of the template and every answer (its format has a "cookiecutter" key and
# names each prompt, on or off), not project code.
CRUFT_STATE = ".cruft.json"


def project_files(project):
    """The project's own files (an updated project is also a git checkout: .git is not its code)."""
    return [
        path
        for path in project.files()
        if path.relative_to(project.path) != Path(CRUFT_STATE) and ".git" not in path.relative_to(project.path).parts
    ]


def check_no_residue(project):
    for path in project_files(project):
        relative = path.relative_to(project.path)
        assert not RESIDUE.search(str(relative)), f"template residue in file name {relative}"
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            assert not RESIDUE.search(line), f"template residue in {relative}:{number}: {line}"
            assert not MARKER.search(line), f"feature marker left in {relative}:{number}: {line}"
    assert not (project.path / "features.toml").exists()


def check_nothing_of_disabled_features(project, answers):
    table = feature_table()
    enabled = {name: feature_enabled(row, answers) for name, row in table.items()}
    still_needed = {
        normalized(dep) for name, row in table.items() if enabled[name] for dep in row.get("dependencies", [])
    }
    pyproject = (project.path / "pyproject.toml").read_text()
    declared = {normalized(m) for m in re.findall(r'^\s*"([A-Za-z0-9._-]+)', pyproject, re.MULTILINE)}
    texts = {}
    for path in project_files(project):
        try:
            texts[path.relative_to(project.path)] = path.read_text().lower()
        except UnicodeDecodeError:
            continue
    for name, row in table.items():
        if enabled[name]:
            continue
        for relative in row.get("paths", []):
            # The table is rendered with the project: the slug folder has its real name.
            relative = re.sub(r"{{\s*cookiecutter\.project_slug\s*}}", project.path.name, relative)
            assert not (project.path / relative).exists(), f"{relative} of disabled {name} remains"
        for dep in row.get("dependencies", []):
            if normalized(dep) not in still_needed:
                assert normalized(dep) not in declared, f"dependency {dep} of disabled {name} remains"
        for trace in row.get("traces", []):
            for relative, text in texts.items():
                assert trace.lower() not in str(relative).lower(), f"{trace!r} ({name}) in {relative}"
                assert trace.lower() not in text, f"{trace!r} of disabled {name} found in {relative}"


def declared_distributions(pyproject):
    project = pyproject["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements.extend(extra)
    return {normalized(re.split(r"[\[<>=!~; ]", requirement)[0]) for requirement in requirements}


def check_mypy_config_names_only_declared_libraries(project):
    """The mypy plugins and per-library settings all belong to a dependency of the project.

    A feature switched off takes its library away; a setting left for it (a plugin, an
    ignore_missing_imports entry) would be residue the hook should have removed.
    """
    pyproject = tomllib.loads((project.path / "pyproject.toml").read_text())
    mypy = pyproject["tool"]["mypy"]
    named = {plugin.split(".")[0] for plugin in mypy.get("plugins", [])}
    for override in mypy.get("overrides", []):
        if override.get("ignore_missing_imports"):
            named.update(module.split(".")[0] for module in override["module"])
    probe = project.run(
        "python", "-c",
        "import importlib.metadata, json; print(json.dumps(importlib.metadata.packages_distributions()))",
    )  # fmt: skip
    providers = json.loads(probe.stdout)
    declared = declared_distributions(pyproject)
    for module in sorted(named):
        provided_by = {normalized(name) for name in providers.get(module, [])}
        assert provided_by & declared, f"mypy settings name {module!r}, which no dependency provides"


def check_every_bar(project, answers):
    """Bars 1-6 of the contract on a generated (or updated) project; bar 7 is test_default_project's."""
    check_no_residue(project)
    check_nothing_of_disabled_features(project, answers)

    probe = project.run("python", str(DECLARED_DEPENDENCIES))
    assert probe.stdout.strip() == "", f"imported but not in pyproject.toml:\n{probe.stdout}"

    project.run("ruff", "check", ".")
    project.run("ruff", "format", "--check", ".")
    check_mypy_config_names_only_declared_libraries(project)
    project.typecheck()
    project.manage("check", "--fail-level", "WARNING")
    project.manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    project.manage("makemigrations", "--check", "--dry-run")
    project.run("python", "-m", "pytest", "-q", "-x")


@pytest.mark.parametrize("answers", [answers for _, answers in CASES], ids=[i for i, _ in CASES])
def test_generated_project_clears_every_bar(bake, answers):
    check_every_bar(bake(**answers), answers)


def test_the_matrix_covers_every_prompt_value():
    seen = {}
    for _, answers in CASES:
        for prompt, value in answers.items():
            seen.setdefault(prompt, set()).add(repr(value))
    for prompt, values in seen.items():
        if prompt not in prompt_space():
            continue  # free text: varied by the unusual-answers case only
        assert len(values) >= 2, f"{prompt} is never varied"
    assert set(seen) >= {p for p, v in defaults().items() if isinstance(v, bool)}
