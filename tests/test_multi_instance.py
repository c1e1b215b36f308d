"""Past one machine: three instances of the all-on project behind one nginx load balancer.

Each instance is gunicorn (production settings, the project's gunicorn.conf.py) in a
network namespace of its own, reached over a veth pair on a private /24 created for the
test. They share one PostgreSQL and one Redis on the host side of the bridge, with one
Celery worker and beat; the load balancer is the shipped deploy/nginx/site.conf with its
upstream listing every instance, and TRUSTED_PROXIES on the instances is the address
nginx connects from. Proven, in numbers written to multi-instance-report.md (in
$REHEARSAL_REPORT_DIR, else .cache/rehearsal/; a sample is in docs/rehearsal-report-sample.md):

- a throttle counts across instances: the (N+1)th request is 429 on every instance;
- a token issued by one instance works on every other;
- a rolling restart of every instance under load: no 5xx, no connection error at nginx;
- a second beat started by mistake does not double the backup of a schedule tick;
- PostgreSQL connections stay within the arithmetic of docs/KUBERNETES.md.

Needs root and ``ip netns`` (iproute2, installed by .ci/run). Run alone with
``pytest -m multi_instance``; it takes about three minutes, most of it waiting for two
beat ticks (a crontab's finest schedule is a minute).
"""

import concurrent.futures
import http.client
import json
import os
import re
import ssl
import subprocess
import time
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from .support.celery_worker import CeleryWorker
from .support.data_safety import PasswordPostgres
from .support.edge import away_from_a_window_edge, tool_missing
from .support.multi_instance import Beat, Instance, Network, RedisOnBridge, stop_process
from .support.project import Project, production_env
from .support.rehearsal import ConnectionSampler, run_wrk, wait_until
from .support.services import free_port, wait_for_port
from .support.template import TEMPLATE_DIR
from .support.tools import unavailable
from .support.webservers import localize, nginx_binary, nginx_conf

pytestmark = [pytest.mark.multi_instance, pytest.mark.xdist_group("multi_instance")]

SLUG = "routex"
INSTANCES, WORKERS, THREADS, POOL_MAX = 3, 2, 2, 2
CELERY_CONCURRENCY = 2
SENSITIVE_LIMIT = 5  # the default sensitive_throttle_rate, 5/minute
LOAD_SECONDS, LOAD_CONNECTIONS = 45, 8
TICKS_WANTED, BEAT_BUDGET = 2, 200  # schedule ticks to see, seconds allowed for them
USER_EMAIL, USER_PASSWORD = "ops@example.com", "correct-horse-battery-9"
BACKUP_TASK = "maintenance.backup_database"
TOKEN_PATH = "/api/auth/token/"
ITEMS = "/api/v1/items/"


class PostgresOnBridge(PasswordPostgres):
    """PostgreSQL with password authentication on loopback and the bridge address."""

    def start_on(self, network):
        self.start()
        hba = self.data / "pg_hba.conf"
        hba.write_text(hba.read_text() + f"host all all {network.subnet} scram-sha-256\n")
        # Started again with its options on the command line (pg_ctl restart would reuse the
        # loopback-only ones), listening on the bridge too.
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-o",
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1,{network.host_address} "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200",
            "start",
        )  # fmt: skip
        wait_for_port(self.port, host=network.host_address)
        return self


def request(host, port, method, path, body=None, headers=None, tls=False, source=None, timeout=30):
    """(status, headers, body) of one request on a fresh connection."""
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the throwaway self-signed certificate
        connection = http.client.HTTPSConnection(host, port, context=context, timeout=timeout, source_address=source)
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout, source_address=source)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def direct(instance, method, path, client, body=None, headers=None):
    """A request straight to one instance, as if nginx had forwarded it for ``client``."""
    headers = {"X-Forwarded-For": client, "X-Forwarded-Proto": "https", "Host": "127.0.0.1",
               "Content-Type": "application/json", **(headers or {})}  # fmt: skip
    return request(instance.address, 8000, method, path, body=body, headers=headers)


def auth_header(body):
    """Authorization for whatever /api/auth/token/ returned: {"token": ...} or {"access": ...}."""
    if "access" in body:
        return f"Bearer {body['access']}"
    return f"Token {body['token']}"


def backups_in(folder):
    return sorted(
        p.name for p in Path(folder).iterdir() if not p.name.endswith(".metadata") and not p.name.startswith(".")
    )


class Report:
    def __init__(self):
        self.facts = {}
        self.started = time.monotonic()

    def fact(self, name, value):
        self.facts[name] = value

    def write(self):
        folder = Path(os.environ.get("REHEARSAL_REPORT_DIR") or TEMPLATE_DIR / ".cache" / "rehearsal")
        folder.mkdir(parents=True, exist_ok=True)
        lines = [
            "# Multi-instance rehearsal report",
            "",
            f"{INSTANCES} instances of the all-on project (gunicorn, production settings, {WORKERS} workers x "
            f"{THREADS} threads, pool max {POOL_MAX}), each in its own network namespace, behind one nginx",
            "(the shipped deploy/nginx/site.conf), sharing one PostgreSQL and one Redis, with one Celery",
            "worker and two beats (the second one started by mistake); written by `tests/test_multi_instance.py`.",
            "",
            "| measure | value |",
            "|---|---|",
            *(f"| {name} | {value} |" for name, value in self.facts.items()),
            "",
            f"Wall time: {time.monotonic() - self.started:.0f}s.",
            "",
        ]
        (folder / "multi-instance-report.md").write_text("\n".join(lines))
        (folder / "multi-instance-report.json").write_text(json.dumps(self.facts, indent=2))
        return folder / "multi-instance-report.md"


@pytest.fixture
def cluster(tmp_path, generated_venv):
    """Everything started, in order; everything stopped and removed, whatever happens."""
    missing = tool_missing("ip", "nginx", "wrk", "redis-server", "openssl")
    if missing:
        unavailable(f"{missing} is not installed (apt-get install {'iproute2' if missing == 'ip' else missing})")
    if os.geteuid() != 0:
        unavailable("network namespaces and veth pairs need root")
    project = Project(cookiecutter(str(TEMPLATE_DIR), no_input=True, output_dir=str(tmp_path / "src")), generated_venv)
    network = Network(INSTANCES)
    stoppers = []
    state = {"project": project, "network": network, "root": tmp_path}
    try:
        network.create()
        stoppers.append(network.destroy)
        postgres = PostgresOnBridge().start_on(network)
        stoppers.append(postgres.stop)
        postgres.create_database("multi")
        redis = RedisOnBridge(network.host_address, free_port()).start()
        stoppers.append(redis.stop)
        backup_dir = tmp_path / "backups"
        backup_dir.mkdir()

        # One set of keys for every process (a token one instance signs, another accepts).
        shared_env = production_env(
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_ERROR_EMAILS="false",
            DJANGO_STATIC_REQUIRE_MANIFEST="false",
            DATABASE_POOL_MIN_SIZE="1",
            DATABASE_POOL_MAX_SIZE=str(POOL_MAX),
            TRUSTED_PROXIES=network.host_address,
            THROTTLE_SENSITIVE_RATE=f"{SENSITIVE_LIMIT}/minute",
            BACKUP_DIR=str(backup_dir),
            BACKUP_SCHEDULE="* * * * *",
        )

        def environment(host):
            """The shared variables, with the database and Redis as seen from ``host``."""
            return {
                **shared_env,
                "DATABASE_URL": postgres.url("multi").replace("127.0.0.1", host),
                "REDIS_URL": redis.url(host),
            }

        host_env = environment("127.0.0.1")
        project.manage("migrate", "--noinput", env=host_env)
        project.manage(
            "createsuperuser", "--noinput",
            env={**host_env, "DJANGO_SUPERUSER_USERNAME": USER_EMAIL, "DJANGO_SUPERUSER_EMAIL": USER_EMAIL,
                 "DJANGO_SUPERUSER_PASSWORD": USER_PASSWORD},
        )  # fmt: skip
        bridge_env = environment(network.host_address)
        instances = [
            Instance(project, bridge_env, namespace, address, WORKERS, THREADS, f"web-{n}")
            for n, (namespace, address) in enumerate(zip(network.namespaces, network.addresses, strict=True))
        ]
        for instance in instances:
            stoppers.append(instance.stop)
            instance.start()

        nginx_root = tmp_path / "nginx"
        nginx_root.mkdir()
        http_port, https_port = free_port(), free_port()
        site = localize(
            (project.path / "deploy/nginx/site.conf").read_text(), nginx_root, SLUG, ports=(http_port, https_port)
        )
        servers = "".join(f"    server {i.address}:8000 max_fails=1 fail_timeout=5s;\n" for i in instances)
        site, count = re.subn(r"(?m)^    server 127\.0\.0\.1:8000[^\n]*\n", servers, site)
        assert count == 1, "the shipped upstream lists one server line to replace"
        conf = nginx_conf(nginx_root, site)
        conf.write_text(conf.read_text().replace("worker_connections 64;", "worker_connections 1024;"))
        nginx = subprocess.Popen(
            [nginx_binary(), "-p", str(nginx_root), "-c", str(conf)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        stoppers.append(lambda: stop_process(nginx))
        wait_for_port(https_port)

        worker_env = {**host_env, "PGAPPNAME": "worker"}
        worker = CeleryWorker(project, worker_env, concurrency=CELERY_CONCURRENCY)
        stoppers.append(worker.stop)
        worker.start()
        beats = [
            Beat(project, {**bridge_env, "PGAPPNAME": f"beat-{n}"}, network.namespaces[n], f"beat-{n}") for n in (0, 1)
        ]
        for beat in beats:
            stoppers.append(beat.stop)
            beat.start()
        state.update(instances=instances, https_port=https_port, nginx_root=nginx_root, postgres=postgres,
                     worker=worker, beats=beats, beats_started=time.monotonic(), backup_dir=backup_dir)  # fmt: skip
        yield state
    finally:
        errors = []
        for stop in reversed(stoppers):
            try:
                stop()
            except Exception as error:  # keep cleaning up; the first failure is raised below
                errors.append(error)
        assert not network.leftovers(), f"network namespaces left behind: {network.leftovers()}"
        if errors:
            raise errors[0]


def test_instances_behind_one_load_balancer_share_limits_tokens_and_schedule(cluster):
    report = Report()
    instances, network = cluster["instances"], cluster["network"]
    report.fact("instances (namespace, address)", ", ".join(f"{i.namespace} {i.address}" for i in instances))
    report.fact("load balancer (TRUSTED_PROXIES)", f"nginx in the root namespace, from {network.host_address}")

    # --- Throttles: one count across instances ------------------------------------------
    client = "198.51.100.20"
    away_from_a_window_edge(60, margin=15)
    first = [direct(instances[n % INSTANCES], "POST", TOKEN_PATH, client, body="{}")[0] for n in range(SENSITIVE_LIMIT)]
    after = [direct(instance, "POST", TOKEN_PATH, client, body="{}")[0] for instance in instances]
    report.fact(f"sensitive tier ({SENSITIVE_LIMIT}/minute): requests 1-{SENSITIVE_LIMIT}, round robin", first)
    report.fact(f"request {SENSITIVE_LIMIT + 1} on each instance", after)
    assert first == [400] * SENSITIVE_LIMIT, first
    assert after == [429] * INSTANCES, after

    # Through nginx, from another client address: whichever instance serves the 6th, it is 429.
    through_nginx = [
        request("127.0.0.1", cluster["https_port"], "POST", TOKEN_PATH, body="{}", tls=True,
                headers={"Content-Type": "application/json"}, source=("127.0.0.2", 0))[0]
        for _ in range(SENSITIVE_LIMIT + INSTANCES)
    ]  # fmt: skip
    served_429 = [
        sum(" status=429 POST /api/auth/token/" in line for line in i.log.read_text().splitlines()) for i in instances
    ]
    report.fact("through nginx from 127.0.0.2: statuses", through_nginx)
    report.fact("429s answered per instance (gunicorn logs, both checks)", served_429)
    assert through_nginx == [400] * SENSITIVE_LIMIT + [429] * INSTANCES, through_nginx

    # --- A token issued by one instance works on every other ----------------------------
    credentials = json.dumps({"username": USER_EMAIL, "email": USER_EMAIL, "password": USER_PASSWORD})
    status, _, body = direct(instances[0], "POST", TOKEN_PATH, "198.51.100.30", body=credentials)
    assert status == 200, body
    authorization = auth_header(json.loads(body))
    with_token = [
        direct(i, "GET", ITEMS, "198.51.100.30", headers={"Authorization": authorization})[0] for i in instances
    ]
    scheme = authorization.split()[0]
    with_bogus = [
        direct(i, "GET", ITEMS, "198.51.100.30", headers={"Authorization": f"{scheme} bogus0123456789"})[0]
        for i in instances
    ]
    report.fact("token issued by web-0, used on web-0/1/2", with_token)
    report.fact("a bogus token on web-0/1/2", with_bogus)
    assert with_token == [200] * INSTANCES
    assert with_bogus == [401] * INSTANCES

    # --- Rolling restart under load -------------------------------------------------------
    sampler = ConnectionSampler(cluster["project"], cluster["postgres"].url(), "multi")
    restarts = []
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        load = pool.submit(
            run_wrk, f"https://127.0.0.1:{cluster['https_port']}/api/health/", cluster["root"], total=10**8,
            connections=LOAD_CONNECTIONS, threads=2, timeout=LOAD_SECONDS,
        )  # fmt: skip
        time.sleep(5)
        for instance in instances:
            started = time.monotonic()
            exit_status = instance.graceful_stop()
            instance.start()
            wait_until(lambda i=instance: direct(i, "GET", "/api/health/", "198.51.100.40")[0] == 200, 60,
                       what=f"{instance.name} healthy again")  # fmt: skip
            restarts.append((instance.name, exit_status, round(time.monotonic() - started, 1)))
            time.sleep(2)
        summary = load.result(timeout=LOAD_SECONDS + 180)
    peak = sampler.finish()
    statuses = summary["statuses"]
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    retried = (cluster["nginx_root"] / "error.log").read_text().count("upstream")
    report.fact("load run", f"{sum(statuses.values())} requests to /api/health/ over {summary['seconds']:.0f}s, "
                f"{LOAD_CONNECTIONS} connections, p50 {summary['latency_p50_ms']} ms, p99 {summary['latency_p99_ms']} ms")  # fmt: skip
    report.fact("rolling restart (instance, exit status, seconds until healthy)", restarts)
    report.fact("statuses at the load balancer", dict(sorted(statuses.items())))
    report.fact("5xx / connection errors / timeouts at the load balancer",
                f"{server_errors} / {summary['socket_errors']} / {summary['timeouts']}")  # fmt: skip
    report.fact("upstream failures nginx retried on another instance (error.log lines)", retried)
    assert all(exit_status == 0 for _, exit_status, _ in restarts), restarts
    assert server_errors == 0, statuses
    assert summary["socket_errors"] == 0 and summary["timeouts"] == 0, summary
    assert set(statuses) == {200}, statuses

    # --- PostgreSQL connections: the arithmetic of docs/KUBERNETES.md ---------------------
    # The load run is all readiness checks: each one in flight holds its own short, direct
    # connection (never the pool's, docs/KUBERNETES.md), one per request thread at most.
    web_bound = INSTANCES * WORKERS * (POOL_MAX + THREADS)
    total_bound = web_bound + CELERY_CONCURRENCY * POOL_MAX + 2 * POOL_MAX
    web_peak = sum(count for name, count in peak["per_app"].items() if name.startswith("web-"))
    report.fact("PostgreSQL connections, peak (pg_stat_activity, sampled every 10 ms)",
                f"{peak['total']} in all; per process group {dict(sorted(peak['per_app'].items()))}")  # fmt: skip
    report.fact("bound: instances x workers x (pool max + threads for health checks) (+ worker and beats)",
                f"web {INSTANCES} x {WORKERS} x ({POOL_MAX} + {THREADS}) = {web_bound}; all {total_bound}")  # fmt: skip
    assert web_peak <= web_bound, peak
    assert peak["total"] <= total_bound + 1, peak  # + 1: the sampler's own connection

    # --- Two beats, one backup per tick ---------------------------------------------------
    beats = cluster["beats"]
    deadline = cluster["beats_started"] + BEAT_BUDGET

    def both_beats_sent_two_ticks():
        return all(len(beat.send_minutes(BACKUP_TASK)) >= TICKS_WANTED for beat in beats)

    wait_until(both_beats_sent_two_ticks, max(1, deadline - time.monotonic()), interval=1, what="two beat ticks")
    sends = sum(len(beat.send_minutes(BACKUP_TASK)) for beat in beats)
    ticks = set().union(*(beat.send_minutes(BACKUP_TASK) for beat in beats))

    def backup_results():
        log = cluster["worker"].log.read_text()
        return re.findall(r"Task maintenance\.backup_database\[[^\]]+\] succeeded in [^:]+: '(\w+)'", log)

    wait_until(lambda: len(backup_results()) >= sends, 120, interval=1, what="every backup message handled")
    results = backup_results()
    made, skipped = results.count("done"), results.count("skipped")
    report.fact("beat: backup messages sent (beat-0 + beat-1) / schedule ticks", f"{sends} / {len(ticks)}")
    report.fact("backups made / duplicate messages skipped", f"{made} / {skipped}")
    assert made == len(ticks), (results, ticks)
    assert skipped == sends - len(ticks), (results, ticks)
    # Retention (dbbackup --clean) keeps the newest of the day: one file, the last tick's.
    assert len(backups_in(cluster["backup_dir"])) == 1
    path = report.write()
    print(f"\nmulti-instance report: {path}")
