"""Upgrades for every project: the cruft record at generation, and real updates across history.

A project made with plain ``cookiecutter`` from a git checkout or URL carries the
``.cruft.json`` that ``cruft create`` would have written; a non-git copy says so and
skips it. Then a project baked at earlier commits of this repository, committed, edited
the way a team does and holding rows in a real PostgreSQL database, is brought to the
template's HEAD with ``cruft update``: no conflicts, the edits kept, the same database
migrated with its rows, every bar of the matrix cleared, and a feature turned on later.
"""

import json
import shutil
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from cookiecutter.main import cookiecutter as generate_files_of_template

from .support.project import Project, clean_env, shared_venv
from .support.services import free_port
from .support.template import TEMPLATE_DIR, all_generated_dependencies, cookiecutter_json
from .support.upgrade import COPY_IGNORE, GIT_ENV, conflicts, git, run
from .test_default_project import readme_commands
from .test_matrix import check_every_bar

BIN = Path(sys.executable).parent
CRUFT = str(BIN / "cruft")
# main's head before the accounts work (auth.User, no username_type prompt), and the
# commit this upgrade work started from (the custom user model already there).
BEFORE_ACCOUNTS = "0f5bf43"
START_OF_UPGRADES = "f65f677"


def cookiecutter(*args, cwd, env=None):
    return run(BIN / "cookiecutter", *args, cwd=cwd, env=clean_env(**(env or {})))


def user_config(tmp_path):
    """Keeps cookiecutter's clones and replay files inside the test's folder."""
    config = tmp_path / "cookiecutter.yaml"
    config.write_text(f"cookiecutters_dir: {tmp_path / 'clones'}\nreplay_dir: {tmp_path / 'replay'}\n")
    return config


def template_repository(tmp_path):
    """The template's working tree committed into a fresh repository (branch ref packed)."""
    template = tmp_path / "routex-template"
    template.mkdir()
    git("init", "-q", cwd=template)
    for path in TEMPLATE_DIR.iterdir():
        if path.name not in {".git", ".venv", ".cache"}:
            copy = template / path.name
            if path.is_dir():
                shutil.copytree(path, copy, ignore=COPY_IGNORE)
            else:
                copy.write_bytes(path.read_bytes())
    git("add", "-A", cwd=template)
    git("commit", "-q", "-m", "template", cwd=template)
    git("pack-refs", "--all", cwd=template)  # the branch is then found in packed-refs only
    return template


def head(repository):
    return git("rev-parse", "HEAD", cwd=repository).stdout.strip()


def commit_all(project_dir, message):
    git("add", "-A", cwd=project_dir)
    git("commit", "-q", "-m", message, cwd=project_dir)


# --- The record at generation -----------------------------------------------------------


def test_plain_cookiecutter_from_a_local_checkout_records_what_cruft_create_would(tmp_path):
    template = template_repository(tmp_path)
    config = user_config(tmp_path)
    # A relative template path, as typed in a shell (which keeps the folder in PWD).
    result = cookiecutter("--config-file", config, "--no-input", "-o", "plain", "routex-template",
                          cwd=tmp_path, env={"PWD": str(tmp_path)})  # fmt: skip
    assert ".cruft.json not written" not in result.stdout
    plain = tmp_path / "plain" / "routex"
    state = json.loads((plain / ".cruft.json").read_text())

    created = run(CRUFT, "create", "--no-input", "--output-dir", tmp_path / "cruft", template,
                  cwd=tmp_path, env=clean_env(**GIT_ENV))  # fmt: skip
    assert "cruft is generating this project and records .cruft.json itself" in created.stdout
    by_cruft = (tmp_path / "cruft" / "routex" / ".cruft.json").read_text()
    assert (plain / ".cruft.json").read_text() == by_cruft, "byte for byte what cruft create writes"
    assert state["template"] == str(template) and state["commit"] == head(template)
    assert state["context"]["cookiecutter"]["_commit"] == head(template)
    assert not {"_output_dir", "_repo_dir", "_checkout"} & set(state["context"]["cookiecutter"])

    git("init", "-q", cwd=plain)
    commit_all(plain, "generated")
    assert run(CRUFT, "check", cwd=plain).returncode == 0
    assert run(CRUFT, "diff", "--exit-code", cwd=plain).returncode == 0

    readme = template / "{{cookiecutter.project_slug}}" / "README.md"
    readme.write_text(readme.read_text() + "\nA line of the next template release.\n")
    commit_all(template, "next release")
    assert run(CRUFT, "check", cwd=plain, check=False).returncode == 1, "cruft check sees the new commit"
    run(CRUFT, "update", "-y", cwd=plain, env=clean_env(**GIT_ENV))
    assert "A line of the next template release." in (plain / "README.md").read_text()
    assert conflicts(plain) == []


def test_plain_cookiecutter_from_a_git_url_records_the_url_and_the_checkout(tmp_path):
    template = template_repository(tmp_path)
    git("branch", "release", cwd=template)
    git("clone", "-q", "--bare", template, tmp_path / "remote.git", cwd=tmp_path)
    url = f"file://{tmp_path / 'remote.git'}"

    cookiecutter("--config-file", user_config(tmp_path), "--no-input", "-o", tmp_path / "out", url,
                 "--checkout", "release", cwd=tmp_path)  # fmt: skip

    project_dir = tmp_path / "out" / "routex"
    state = json.loads((project_dir / ".cruft.json").read_text())
    assert (state["template"], state["commit"], state["checkout"]) == (url, head(template), "release")
    git("init", "-q", cwd=project_dir)
    commit_all(project_dir, "generated")
    assert run(CRUFT, "check", cwd=project_dir).returncode == 0


def test_a_template_that_is_not_a_git_checkout_is_said_in_one_line_and_skipped(tmp_path):
    copy = tmp_path / "template-copy"
    shutil.copytree(TEMPLATE_DIR, copy, ignore=COPY_IGNORE)

    result = cookiecutter("--config-file", user_config(tmp_path), "--no-input", "-o", tmp_path / "out", copy,
                          cwd=tmp_path)  # fmt: skip

    lines = [line for line in result.stdout.splitlines() if ".cruft.json" in line]
    assert lines == [f".cruft.json not written: the template at {copy} is not a git checkout."]
    assert not (tmp_path / "out" / "routex" / ".cruft.json").exists()
    assert (tmp_path / "out" / "routex" / "manage.py").exists()


# --- The scheduled check in the generated CI ---------------------------------------------

CHECK_STEP = "Is the project up to date with its template?"


def test_the_github_schedule_reports_a_moved_template_and_no_ordinary_build_runs_it(tmp_path):
    template = template_repository(tmp_path)
    cookiecutter("--config-file", user_config(tmp_path), "--no-input", "-o", tmp_path / "out", template,
                 "ci_tool=github", cwd=tmp_path)  # fmt: skip
    project_dir = tmp_path / "out" / "routex"
    workflows = project_dir / ".github" / "workflows"
    workflow = yaml.safe_load((workflows / "template-update.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"schedule", "workflow_dispatch"}, "never on push or pull request"
    assert "template-update" not in (workflows / "ci.yml").read_text(), "ordinary CI does not depend on it"
    steps = workflow["jobs"]["cruft-check"]["steps"]
    assert any(f"cruft=={cookiecutter_json()['_pins']['cruft']}" in step.get("run", "") for step in steps)
    (script,) = [step["run"] for step in steps if step.get("name") == CHECK_STEP]
    git("init", "-q", cwd=project_dir)
    commit_all(project_dir, "generated")

    def scheduled_run():
        summary = tmp_path / "summary.md"
        summary.write_text("")
        env = clean_env(PATH=f"{BIN}:/usr/bin:/bin", GITHUB_STEP_SUMMARY=str(summary))
        result = run("bash", "-e", "-c", script, cwd=project_dir, env=env, check=False)
        return result, summary.read_text()

    result, summary = scheduled_run()
    assert result.returncode == 0 and "Up to date" in summary, result.stdout + result.stderr

    readme = template / "{{cookiecutter.project_slug}}" / "README.md"
    readme.write_text(readme.read_text() + "\nA newer template.\n")
    commit_all(template, "next release")
    result, summary = scheduled_run()
    assert result.returncode == 1, "a moved template is reported by a failed scheduled run"
    assert "::warning title=The template has moved on::" in result.stdout
    assert "cruft update" in summary


def test_the_gitlab_job_runs_cruft_check_in_scheduled_pipelines_only(bake):
    project = bake(ci_tool="gitlab")
    pipeline = yaml.safe_load((project.path / ".gitlab-ci.yml").read_text())
    job = pipeline["template-update-check"]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    assert job["needs"] == [] and "cruft check" in job["script"]
    assert f"cruft=={cookiecutter_json()['_pins']['cruft']}" in " ".join(job["script"])
    others = [name for name, other in pipeline.items() if isinstance(other, dict) and "template-update-check"
              in str(other.get("needs", ""))]  # fmt: skip
    assert others == [], "no other job waits for it"


# --- A real upgrade across the template's history ----------------------------------------


def require_history(*commits, checkout=TEMPLATE_DIR):
    """The commits the upgrade starts from must be in this checkout (CI clones in full)."""
    inside = git("rev-parse", "--is-inside-work-tree", cwd=checkout, check=False)
    if inside.stdout.strip() != "true":
        pytest.fail(f"{checkout} is not a git checkout; the upgrade test needs the template's git history")
    shallow = git("rev-parse", "--is-shallow-repository", cwd=checkout).stdout.strip()
    if shallow == "true" and checkout == TEMPLATE_DIR:
        # A shallow clone of a reachable origin (a local one, in CI) can fetch what it lacks.
        git("fetch", "--quiet", "--unshallow", cwd=checkout, check=False)
        shallow = git("rev-parse", "--is-shallow-repository", cwd=checkout).stdout.strip()
    if shallow == "true":
        pytest.fail("the template checkout is shallow; the upgrade test needs its history (git fetch --unshallow)")
    for commit in commits:
        if git("cat-file", "-e", f"{commit}^{{commit}}", cwd=checkout, check=False).returncode != 0:
            pytest.fail(f"commit {commit} is not in the template checkout; the upgrade test needs the full history")


def test_a_shallow_checkout_fails_the_upgrade_test_saying_why(tmp_path):
    shallow = tmp_path / "shallow"
    git("clone", "-q", "--depth", "1", f"file://{TEMPLATE_DIR}", shallow, cwd=tmp_path)

    with pytest.raises(pytest.fail.Exception, match="shallow; the upgrade test needs its history"):
        require_history(BEFORE_ACCOUNTS, checkout=shallow)


def venv_for(project_dir):
    """The shared venv when it holds the project's pins, else one for exactly these pins."""
    project = tomllib.loads((project_dir / "pyproject.toml").read_text())["project"]
    requirements = set(project["dependencies"]) | set(project["optional-dependencies"]["dev"])
    if requirements <= set(all_generated_dependencies()):
        return shared_venv()
    return shared_venv(requirements=requirements)


FLEET_APP = {
    "__init__.py": "",
    "apps.py": (
        "from django.apps import AppConfig\n\n\n"
        "class FleetConfig(AppConfig):\n"
        '    name = "{slug}.fleet"\n'
        '    default_auto_field = "django.db.models.BigAutoField"\n'
    ),
    "models.py": (
        "from django.conf import settings\nfrom django.db import models\n\n\n"
        "class Vehicle(models.Model):\n"
        "    plate = models.CharField(max_length=20, unique=True)\n"
        '    driver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="vehicles")\n\n'
        "    def __str__(self):\n"
        "        return self.plate\n"
    ),
    "migrations/__init__.py": "",
}
SETTING_EDIT = ('LANGUAGE_CODE = "en-us"', 'LANGUAGE_CODE = "en-gb"')
README_EDIT = (
    "Tests run tasks in-process (eager mode), so they need neither.\n",
    "Tests run tasks in-process (eager mode), so they need neither.\n\n"
    "Our fleet reports run on the maintenance queue; page the on-call team when it backs up.\n",
)
DEPENDENCY_EDIT = ('    "python-json-logger', '    "python-dateutil==2.9.0.post0",\n    "python-json-logger')

SEED = """
from django.contrib.auth import get_user_model
from {slug}.fleet.models import Vehicle
from {slug}.items.models import Item

User = get_user_model()
for name in ("ada", "grace"):
    fields = {{User.USERNAME_FIELD: f"{{name}}@example.com" if User.USERNAME_FIELD == "email" else name}}
    if User.USERNAME_FIELD != "email":
        fields["email"] = f"{{name}}@example.com"
    user = User.objects.create_user(**fields, password="correct horse battery staple")
    Item.objects.create(name=f"{{name}}'s route", owner=user)
    Vehicle.objects.create(plate=f"{{name.upper()}}-1", driver=user)
print(User._meta.label, User.objects.first().password.split("$")[0])
"""
INSPECT = """
import json
from django.contrib.auth import get_user_model
from {slug}.fleet.models import Vehicle
from {slug}.items.models import Item

User = get_user_model()
users = User.objects.order_by("pk")
signed_in = all(user.check_password("correct horse battery staple") for user in users)  # rehashes old hashes
print(json.dumps({{
    "model": User._meta.label,
    "users": [user.email for user in users],
    "items": sorted((item.name, item.owner.email) for item in Item.objects.all()),
    "vehicles": sorted((v.plate, v.driver.email) for v in Vehicle.objects.all()),
    "signed_in": signed_in,
    "hashers": sorted({{user.password.split("$")[0] for user in User.objects.all()}}),
}}))
"""


def make_team_edits(project, slug):
    """A new app with its migration, a changed setting, a README section, a dependency."""
    app = project.path / slug / "fleet"
    for relative, text in FLEET_APP.items():
        (app / relative).parent.mkdir(parents=True, exist_ok=True)
        (app / relative).write_text(text.format(slug=slug))
    base = project.path / "config" / "settings" / "base.py"
    text = base.read_text().replace(*SETTING_EDIT)
    base.write_text(text + f'\n# Our own apps.\nINSTALLED_APPS += ["{slug}.fleet"]\n')
    readme = project.path / "README.md"
    readme.write_text(readme.read_text().replace(*README_EDIT))
    pyproject = project.path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(*DEPENDENCY_EDIT))
    project.manage("makemigrations", "fleet")
    project.run("ruff", "format", ".")
    for edit, path in ((SETTING_EDIT, base), (README_EDIT, readme), (DEPENDENCY_EDIT, pyproject)):
        assert edit[1] in path.read_text(), f"the edit of {path.name} did not apply"


def check_team_edits_kept(project_dir, slug):
    assert (project_dir / slug / "fleet" / "migrations" / "0001_initial.py").exists()
    base = (project_dir / "config" / "settings" / "base.py").read_text()
    assert SETTING_EDIT[1] in base and f'INSTALLED_APPS += ["{slug}.fleet"]' in base
    assert README_EDIT[1] in (project_dir / "README.md").read_text()
    assert DEPENDENCY_EDIT[1] in (project_dir / "pyproject.toml").read_text()


def last_line(output):
    """What the script printed last (Django's shell first reports what it imported)."""
    return output.strip().splitlines()[-1]


def answers_of(project_dir):
    context = json.loads((project_dir / ".cruft.json").read_text())["context"]["cookiecutter"]
    return {key: value for key, value in context.items() if not key.startswith("_")}


def psql(postgres, database, query):
    return postgres.run("psql", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres", "-d", database,
                        "-tAc", query).stdout.strip()  # fmt: skip


def check_a_forgotten_answer_is_refused_before_any_data_moves(project_dir, venv, postgres, database):
    """Updated without answering username_type (so: its default), migrate stops, naming the answer."""
    run(CRUFT, "update", "-y", cwd=project_dir, env=clean_env(**GIT_ENV))
    assert json.loads((project_dir / ".cruft.json").read_text())["context"]["cookiecutter"]["username_type"] == "email"
    applied = psql(postgres, database, "SELECT count(*) FROM django_migrations")

    refused = Project(project_dir, venv).manage("migrate", "--noinput", env={"DATABASE_URL": postgres.url(database)},
                                                check=False)  # fmt: skip

    assert refused.returncode != 0
    assert "users.E001" in refused.stderr and '"username_type": "django"' in refused.stderr, refused.stderr
    assert psql(postgres, database, "SELECT count(*) FROM auth_user") == "2"
    assert psql(postgres, database, "SELECT count(*) FROM django_migrations") == applied, "nothing migrated"
    git("reset", "-q", "--hard", cwd=project_dir)
    git("clean", "-q", "-fd", cwd=project_dir)


@pytest.mark.parametrize(
    ("start", "update_variables", "user_model"),
    [
        # Before username_type existed: the project keeps auth.User by answering "django".
        (BEFORE_ACCOUNTS, {"username_type": "django"}, "auth.User"),
        (START_OF_UPGRADES, {}, "users.User"),
    ],
    ids=["before-accounts", "start-of-upgrades"],
)
def test_cruft_update_across_history_keeps_edits_and_data_and_clears_every_bar(
    tmp_path, postgres, generated_venv, start, update_variables, user_model
):
    require_history(start)
    template = tmp_path / "routex-template"
    git("clone", "-q", "--no-hardlinks", TEMPLATE_DIR, template, cwd=tmp_path)
    target = head(template)
    assert target == head(TEMPLATE_DIR)  # cruft sees commits only: the repository's HEAD

    slug = "fleet_ops"
    run(CRUFT, "create", "--no-input", "--checkout", start, "--output-dir", tmp_path,
        "--extra-context", json.dumps({"project_name": "Fleet Ops"}), template,
        cwd=tmp_path, env=clean_env(**GIT_ENV))  # fmt: skip
    project_dir = tmp_path / slug
    git("init", "-q", cwd=project_dir)
    commit_all(project_dir, "generated")

    old = Project(project_dir, venv_for(project_dir))
    make_team_edits(old, slug)
    commit_all(project_dir, "our fleet app, settings, README and a dependency")

    database = f"upgrade_{free_port()}"
    postgres.run("psql", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres", "-c",
                 f"CREATE DATABASE {database}")  # fmt: skip
    db_env = {"DATABASE_URL": postgres.url(database)}
    old.manage("migrate", "--noinput", env=db_env)
    seeded = last_line(old.manage("shell", "-c", SEED.format(slug=slug), env=db_env).stdout).split()
    assert seeded[0] == user_model

    assert run(CRUFT, "check", cwd=project_dir, check=False).returncode == 1, "the template has moved"
    if update_variables:
        check_a_forgotten_answer_is_refused_before_any_data_moves(project_dir, generated_venv, postgres, database)
    update = [CRUFT, "update", "-y"]
    if update_variables:
        update += ["--variables-to-update", json.dumps(update_variables)]
    run(*update, cwd=project_dir, env=clean_env(**GIT_ENV))

    assert conflicts(project_dir) == []
    check_team_edits_kept(project_dir, slug)
    state = json.loads((project_dir / ".cruft.json").read_text())
    assert state["commit"] == target
    answers = answers_of(project_dir)
    assert answers["username_type"] == ("django" if user_model == "auth.User" else "email")
    assert (project_dir / "docs" / "AUTHENTICATION.md").exists(), "the template's changes arrived"
    assert run(CRUFT, "check", cwd=project_dir).returncode == 0
    commit_all(project_dir, "template update")

    # The same database, migrated by the updated project, keeps its rows and passwords.
    project = Project(project_dir, generated_venv)
    project.manage("migrate", "--noinput", env=db_env)
    project.manage("migrate", "--check", env=db_env)
    kept = json.loads(last_line(project.manage("shell", "-c", INSPECT.format(slug=slug), env=db_env).stdout))
    assert kept["model"] == user_model
    assert kept["users"] == ["ada@example.com", "grace@example.com"]
    assert kept["items"] == [["ada's route", "ada@example.com"], ["grace's route", "grace@example.com"]]
    assert kept["vehicles"] == [["ADA-1", "ada@example.com"], ["GRACE-1", "grace@example.com"]]
    assert kept["signed_in"] and kept["hashers"] == ["argon2"], "old hashes accepted, then upgraded"

    # A feature turned on later arrives as one more update.
    run(CRUFT, "update", "-y", "--variables-to-update", '{"use_kubernetes": true}', cwd=project_dir,
        env=clean_env(**GIT_ENV))  # fmt: skip
    assert conflicts(project_dir) == []
    assert (project_dir / "deploy" / "kubernetes" / "overlays" / "production").is_dir()
    answers = answers_of(project_dir)
    assert answers["use_kubernetes"] is True
    check_team_edits_kept(project_dir, slug)
    commit_all(project_dir, "kubernetes")

    check_every_bar(project, answers)
    # Bar 7: the README's commands are those of a fresh project with the same answers,
    # which test_default_project runs as written.
    fresh = generate_files_of_template(str(TEMPLATE_DIR), no_input=True, extra_context=answers,
                                       output_dir=str(tmp_path / "fresh"), config_file=str(user_config(tmp_path)))  # fmt: skip
    fresh_readme = (Path(fresh) / "README.md").read_text()
    assert readme_commands((project_dir / "README.md").read_text()) == readme_commands(fresh_readme)
