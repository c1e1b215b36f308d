"""Outages for real: PostgreSQL stopped after and during traffic, Redis hung and stopped.

The all-on project runs under gunicorn (the project's gunicorn.conf.py, sync workers)
with production settings against a real PostgreSQL and a real Redis. A hung Redis is
the real redis-server stopped with SIGSTOP: the kernel still accepts connections, but
nothing ever answers. Each test restores what it broke and checks the service recovers
by itself, without a restart.

The time budgets asserted here are the ones docs/DEPLOYMENT.md promises: /api/health/
within 2 s (with margin for a loaded machine), /api/health/live/ within 1 s from the very
first moment of an outage, with no margin added (the measured margin is printed).
"""

import concurrent.futures
import http.client
import os
import re
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from .support.bodies import Answer, encoded
from .support.data_safety import PgBouncer
from .support.edge import Gunicorn
from .support.project import Project, production_env
from .support.rehearsal import RehearsalPostgres, wait_until
from .support.services import RedisServer
from .support.template import TEMPLATE_DIR

SLUG = "routex"
HOST = "api.example.com"
ITEMS = "/api/v1/items/"
WORKERS = 2
# The project's default. No request waits it out when the database goes away: the first
# broken pooled connection is confirmed with a direct connection, and the process knows.
POOL_TIMEOUT = 2.0
DATABASE_CONNECT_TIMEOUT = 5  # the project's default, without the pool
READINESS_BUDGET = 2.0
REDIS_TIMEOUT = 1.0  # the project's default
LIVENESS_BUDGET = 1.0
# A loaded machine (2 cores shared by many test runs) adds this much to any answer.
MARGIN = 1.0


def call(port, method, path, body=None, headers=None, timeout=60):
    """One request straight to gunicorn, as the TLS proxy in front of it would send it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.monotonic()
    try:
        connection.request(
            method, path, body=body, headers={"Host": HOST, "X-Forwarded-Proto": "https", **(headers or {})}
        )
        response = connection.getresponse()
        return Answer.read(response, started)
    finally:
        connection.close()


@pytest.fixture(scope="module")
def bake_once(tmp_path_factory, generated_venv):
    """bake_once(**answers) -> Project, generated once per set of answers for this module."""
    baked = {}

    def _bake(**answers):
        key = tuple(sorted(answers.items()))
        if key not in baked:
            root = tmp_path_factory.mktemp("outages")
            path = cookiecutter(str(TEMPLATE_DIR), no_input=True, output_dir=str(root), extra_context=answers)
            baked[key] = Project(Path(path), generated_venv)
        return baked[key]

    return _bake


@pytest.fixture(scope="module")
def project(bake_once):
    return bake_once()


@pytest.fixture(scope="module")
def database():
    server = RehearsalPostgres().start()
    yield server
    server.stop()


@pytest.fixture
def redis():
    server = RedisServer().start()
    yield server
    with_redis_answering(server)
    server.stop()


def database_psql(database, name):
    command = [
        str(database.bindir / "psql"),
        "-h",
        str(database.root),
        "-p",
        str(database.port),
        "-U",
        "postgres",
        "-d",
        name,
    ]
    return ["runuser", "-u", "postgres", "--", *command] if database.as_root else command


def hang(redis):
    """Redis keeps its socket (the kernel accepts connections) but never answers."""
    os.kill(redis.process.pid, signal.SIGSTOP)


def with_redis_answering(redis):
    if redis.process and redis.process.poll() is None:
        os.kill(redis.process.pid, signal.SIGCONT)


class Service:
    """The project under gunicorn on a fresh database of ``database`` and on ``redis``."""

    def __init__(self, project, database, redis, workers=WORKERS, pooler=None, **extra):
        """``pooler(database name) -> URL``: the app connects through it (migrations do not)."""
        name = f"outage_{os.urandom(4).hex()}"
        self.env = production_env(
            DATABASE_URL=database.create_database(name),
            REDIS_URL=redis.url(0),
            DJANGO_ALLOWED_HOSTS=HOST,
            DJANGO_STATIC_REQUIRE_MANIFEST="false",
            # The general tiers out of the way of the bursts; the sensitive one as shipped.
            THROTTLE_ANON_RATE="100000/day",
            THROTTLE_ANON_BURST_RATE="100000/minute",
            THROTTLE_SCOPE_RATES="items=100000/day",
            THROTTLE_SENSITIVE_RATE="5/hour",
            **extra,
        )
        project.manage("migrate", "--noinput", env=self.env)
        if pooler:
            self.env["DATABASE_URL"] = pooler(name)
        self.app = Gunicorn(project, self.env, workers=workers)

    def __enter__(self):
        self.app.start()
        wait_until(lambda: self.get("/api/health/").status == 200, 60, what="a healthy service")
        return self

    def __exit__(self, *exc):
        self.app.stop()

    def get(self, path, timeout=60):
        return call(self.app.port, "GET", path, timeout=timeout)

    def post(self, path, data, timeout=60):
        return call(self.app.port, "POST", path, *encoded(path, data), timeout=timeout)

    def workers(self):
        """gunicorn's worker pids (children of the master): a restart would change them."""
        children = Path(f"/proc/{self.app.process.pid}/task/{self.app.process.pid}/children")
        return sorted(children.read_text().split())


def burst(service, count=40, clients=8):
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        return list(pool.map(lambda _: service.get(ITEMS), range(count)))


def every_worker_serves(service):
    return {service.get(ITEMS).status for _ in range(4 * WORKERS)} == {200}


def probe_while(service, path, seconds, interval=0.25):
    """Answers to ``path`` asked every ``interval`` for ``seconds``; each knows when it was asked."""
    answers = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        asked = time.monotonic()
        answer = service.get(path, timeout=30)
        answer.asked = asked
        answers.append(answer)
        time.sleep(interval)
    return answers


def liveness_margin(lives):
    slowest = max(a.seconds for a in lives)
    return f"liveness: {len(lives)} probes, slowest {slowest:.3f}s, margin {LIVENESS_BUDGET - slowest:.3f}s"


def assert_liveness_within_budget(lives):
    """Every liveness probe answered 200 within the 1 s budget, with no margin added."""
    assert all(a.status == 200 for a in lives), lives
    assert max(a.seconds for a in lives) < LIVENESS_BUDGET, lives


def assert_error_shape(answer, status, code):
    assert answer.status == status, answer
    assert answer.headers["content-type"].startswith("application/json"), answer
    error = answer.json()["error"]
    assert error["status"] == status and error["code"] == code, answer


def requests_during_database_outage(service, database, seconds, later=0):
    """Stop PostgreSQL under load: 16 queued item requests, liveness and readiness probes for
    ``seconds``, then ``later`` more item requests; PostgreSQL starts again whatever happens.

    Returns (first wave, liveness answers, readiness answers, later answers).
    """
    database.stop_server()
    try:
        with concurrent.futures.ThreadPoolExecutor(24) as pool:
            queued = [pool.submit(service.get, ITEMS) for _ in range(16)]
            lives = pool.submit(probe_while, service, "/api/health/live/", seconds)
            readiness = pool.submit(probe_while, service, "/api/health/", seconds, 0.5)
            first_wave = [f.result() for f in queued]
        afterwards = [service.get(ITEMS) for _ in range(later)]
    finally:
        database.start_server()
    return first_wave, lives.result(), readiness.result(), afterwards


# --- PostgreSQL --------------------------------------------------------------------------


def test_database_down_after_a_burst_fails_fast_and_recovers_by_itself(project, database, redis):
    with Service(project, database, redis) as service:
        assert Counter(a.status for a in burst(service)) == {200: 40}
        workers = service.workers()
        first_wave, lives, readiness, later = requests_during_database_outage(service, database, 8, later=10)
        recovered_after = time.monotonic()
        wait_until(lambda: service.get(ITEMS).status == 200, 60, interval=0.5, what="recovery")
        recovery = time.monotonic() - recovered_after
        again = [service.get(ITEMS).status for _ in range(10)]
        health_after = service.get("/api/health/")
        workers_after = service.workers()
        log = service.app.log.read_text()

    print(
        f"\nfirst wave: {sorted(round(a.seconds, 2) for a in first_wave)}"
        f"\nlive: {[round(a.seconds, 2) for a in lives]}"
        f"\nreadiness: {[(a.status, round(a.seconds, 2)) for a in readiness]}"
        f"\nlater: {[round(a.seconds, 3) for a in later]}; recovery {recovery:.1f}s"
        f"\n{liveness_margin(lives)}"
    )
    for answer in first_wave + later:
        assert_error_shape(answer, 503, "database_unavailable")
        assert b"Traceback" not in answer.body
    # No queued request waits out the pool timeout (nor psycopg_pool's backoff between
    # broken connections): the first broken connection tells the whole process.
    assert max(a.seconds for a in first_wave) < POOL_TIMEOUT, first_wave
    # Once known down, API requests are refused at once, with a hint when to come back.
    assert max(a.seconds for a in later) < MARGIN, later
    assert all(int(a.headers["retry-after"]) >= 1 for a in later)
    # Readiness names the database within its budget; liveness never fails and answers
    # within its budget from the first moment, first wave included.
    for answer in readiness:
        assert answer.status == 503 and answer.json()["failing"] == ["database"], answer
        assert answer.seconds < READINESS_BUDGET + MARGIN, answer
    assert_liveness_within_budget(lives)
    # Started again, PostgreSQL is used again by the same workers: nothing restarted.
    assert again == [200] * 10
    assert health_after.status == 200, health_after
    assert workers_after == workers
    assert "WORKER TIMEOUT" not in log


def test_database_stopped_during_traffic_answers_every_request_quickly(project, database, redis):
    """PostgreSQL goes away while clients are mid-flight: no hang, no HTML, then recovery."""
    with Service(project, database, redis) as service:
        workers = service.workers()
        stop_at = time.monotonic() + 1.5

        def client(_):
            answers = []
            while time.monotonic() < stop_at + 6:
                answers.append(service.get(ITEMS, timeout=30))
            return answers

        stopped = False
        try:
            with concurrent.futures.ThreadPoolExecutor(6) as pool:
                clients = pool.map(client, range(6))
                time.sleep(max(0, stop_at - time.monotonic()))
                database.stop_server()
                stopped = True
                answers = [a for answers in clients for a in answers]
            health = service.get("/api/health/")
            live = service.get("/api/health/live/")
        finally:
            if stopped:
                database.start_server()
        wait_until(lambda: service.get(ITEMS).status == 200, 60, interval=0.5, what="recovery")
        workers_after = service.workers()
        log = service.app.log.read_text()

    statuses = Counter(a.status for a in answers)
    print(
        f"\nduring traffic: {sorted(statuses.items())}, slowest {max(a.seconds for a in answers):.2f}s; "
        f"{liveness_margin([live])}"
    )
    assert set(statuses) <= {200, 503}, statuses
    assert statuses[200] and statuses[503], statuses
    for answer in answers:
        assert answer.headers["content-type"].startswith("application/json"), answer
        if answer.status == 503:
            assert_error_shape(answer, 503, "database_unavailable")
    assert max(a.seconds for a in answers) < POOL_TIMEOUT, sorted(a.seconds for a in answers)[-5:]
    assert health.status == 503 and health.json()["failing"] == ["database"], health
    assert health.seconds < READINESS_BUDGET + MARGIN, health
    assert_liveness_within_budget([live])
    assert workers_after == workers
    assert "WORKER TIMEOUT" not in log


def test_database_down_without_the_pool_fails_fast_too(bake_once, database, redis):
    """Persistent connections (db_pooling=none): the same outage, the same answers."""
    pooling = "none"
    project = bake_once(db_pooling=pooling)
    with Service(project, database, redis) as service:
        assert Counter(a.status for a in burst(service)) == {200: 40}
        workers = service.workers()
        first_wave, lives, readiness, _ = requests_during_database_outage(service, database, 6)
        wait_until(lambda: service.get(ITEMS).status == 200, 60, interval=0.5, what="recovery")
        workers_after = service.workers()
        log = service.app.log.read_text()

    print(
        f"\n{pooling}: first wave {sorted(round(a.seconds, 2) for a in first_wave)}; "
        f"readiness {[(a.status, round(a.seconds, 2)) for a in readiness]}; {liveness_margin(lives)}"
    )
    for answer in first_wave:
        assert_error_shape(answer, 503, "database_unavailable")
    # A stopped server refuses connections at once: DATABASE_CONNECT_TIMEOUT never runs out.
    assert max(a.seconds for a in first_wave) < DATABASE_CONNECT_TIMEOUT, first_wave
    for answer in readiness:
        assert answer.status == 503 and answer.json()["failing"] == ["database"], answer
        assert answer.seconds < READINESS_BUDGET + MARGIN, answer
    assert_liveness_within_budget(lives)
    assert workers_after == workers
    assert "WORKER TIMEOUT" not in log


def test_database_down_behind_pgbouncer_fails_fast_and_recovers_by_itself(bake_once, database, redis):
    """db_pooling=pgbouncer: the real pgbouncer with the shipped ini, PostgreSQL stopped behind it."""
    project = bake_once(db_pooling="pgbouncer")
    bouncers = []

    def through_pgbouncer(name):
        ini = project.path / "deploy" / "pgbouncer" / "pgbouncer.ini"
        bouncers.append(PgBouncer(ini, database, name).start(pool_size=4))
        return bouncers[-1].url()

    try:
        with Service(project, database, redis, pooler=through_pgbouncer) as service:
            assert Counter(a.status for a in burst(service)) == {200: 40}
            workers = service.workers()
            first_wave, lives, readiness, later = requests_during_database_outage(service, database, 6, later=10)
            restarted = time.monotonic()
            # Each worker learns for itself (within DATABASE_OUTAGE_RETRY_SECONDS): every one serves.
            wait_until(lambda: every_worker_serves(service), 60, interval=0.25, what="recovery")
            recovery = time.monotonic() - restarted
            again = [service.get(ITEMS).status for _ in range(10)]
            health_after = service.get("/api/health/")
            workers_after = service.workers()
            log = service.app.log.read_text()
    finally:
        for bouncer in bouncers:
            bouncer.stop()

    print(
        f"\npgbouncer: first wave {sorted(round(a.seconds, 2) for a in first_wave)}; "
        f"readiness {[(a.status, round(a.seconds, 2)) for a in readiness]}; "
        f"later slowest {max(a.seconds for a in later):.3f}s; recovery {recovery:.1f}s; {liveness_margin(lives)}"
    )
    for answer in first_wave + later:
        assert_error_shape(answer, 503, "database_unavailable")
    # query_wait_timeout (not the default 120 s) bounds the only wait: the first query of
    # each worker, sent before PgBouncer's first failed server login.
    assert max(a.seconds for a in first_wave) < POOL_TIMEOUT, first_wave
    assert max(a.seconds for a in later) < MARGIN, later
    for answer in readiness:
        assert answer.status == 503 and answer.json()["failing"] == ["database"], answer
        assert answer.seconds < READINESS_BUDGET + MARGIN, answer
    assert_liveness_within_budget(lives)
    # server_login_retry (not the default 15 s): PgBouncer and the app come back by themselves.
    assert recovery < 10, recovery
    assert again == [200] * 10
    assert health_after.status == 200, health_after
    assert workers_after == workers
    assert "WORKER TIMEOUT" not in log


def test_an_exhausted_pool_is_no_database_outage(project, database, redis):
    """Requests holding every pooled connection make others time out; the database is fine."""
    pool_of_one = {"DATABASE_POOL_MIN_SIZE": "1", "DATABASE_POOL_MAX_SIZE": "1", "GUNICORN_THREADS": "4"}
    with Service(project, database, redis, workers=1, **pool_of_one) as service:
        name = service.env["DATABASE_URL"].rsplit("/", 1)[1]
        locker = subprocess.Popen(
            [*database_psql(database, name), "-c", "BEGIN; LOCK TABLE items_item; SELECT pg_sleep(3);"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.5)  # the lock is held: the first request waits on it, holding the connection
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            waiting = list(pool.map(lambda _: service.get(ITEMS), range(4)))
        locker.wait(30)
        after = service.get(ITEMS)

    print(f"\nexhausted pool: {[(a.status, round(a.seconds, 1)) for a in waiting]}, then {after}")
    assert 503 in {a.status for a in waiting}, waiting  # the pool timed out for some
    # The lock is gone and the database never went away: served at once, no outage noted.
    assert after.status == 200, after


# --- Redis -------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["hung", "stopped"])
def test_redis_hung_or_stopped_keeps_every_answer_within_its_budget(project, database, redis, fault):
    with Service(project, database, redis) as service:
        workers = service.workers()
        service.post("/api/auth/token/", {"username": "nobody", "password": "wrong"})  # counters exist
        if fault == "hung":
            hang(redis)
        else:
            redis.stop()
        try:
            health = [service.get("/api/health/") for _ in range(3)]
            live = [service.get("/api/health/live/") for _ in range(3)]
            reads = [service.get(ITEMS) for _ in range(5)]
            logins = [service.post("/api/auth/token/", {"username": "a", "password": "b"}) for _ in range(2)]
        finally:
            if fault == "hung":
                with_redis_answering(redis)
            else:
                redis.start()
        wait_until(lambda: service.get("/api/health/").status == 200, 60, interval=0.5, what="health after Redis")
        workers_after = service.workers()
        log = service.app.log.read_text()

    print(
        f"\nRedis {fault}: health {[(a.status, round(a.seconds, 2)) for a in health]}, "
        f"live {[round(a.seconds, 3) for a in live]}, reads {[(a.status, round(a.seconds, 2)) for a in reads]}, "
        f"logins {[(a.status, round(a.seconds, 2)) for a in logins]}"
    )
    for answer in health:
        assert answer.status == 503, answer
        assert {"cache", "broker"} <= set(answer.json()["failing"]), answer
        assert "database" not in answer.json()["failing"], answer
        assert answer.seconds < READINESS_BUDGET + MARGIN, answer
    assert all(a.status == 200 and a.seconds < LIVENESS_BUDGET + MARGIN for a in live), live
    # General tiers fail open, the sensitive tier fails closed; a request waits for Redis
    # once (REDIS_TIMEOUT), not once per tier.
    assert all(a.status == 200 for a in reads), reads
    assert all(a.seconds < REDIS_TIMEOUT + MARGIN for a in reads), reads
    for login in logins:
        assert_error_shape(login, 429, "throttled")
        assert int(login.headers["retry-after"]) >= 1
        assert login.seconds < REDIS_TIMEOUT + MARGIN, login
    assert workers_after == workers
    assert "WORKER TIMEOUT" not in log


# --- Redis layout and configuration ------------------------------------------------------


def test_cache_clear_never_deletes_queued_tasks(project, redis):
    """By default the cache keeps REDIS_URL's database and Celery uses the next one."""
    env = production_env(REDIS_URL=redis.url(0))
    queue_then_clear = (
        "from config.celery import app\n"
        "from django.core.cache import cache\n"
        "cache.set('some-key', 'some value')\n"
        f"app.send_task('{SLUG}.core.tasks.ping')\n"
        "cache.clear()\n"
        "print('cleared', cache.get('some-key'))\n"
    )
    result = project.manage("shell", "-c", queue_then_clear, env=env)
    assert "cleared None" in result.stdout

    def redis_cli(*args):
        command = ["redis-cli", "-p", str(redis.port), *args]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()

    assert redis_cli("-n", "1", "LLEN", "default") == "1", "the queued task was deleted"
    assert f"{SLUG}.core.tasks.ping" in redis_cli("-n", "1", "LINDEX", "default", "0")
    assert redis_cli("-n", "0", "DBSIZE") == "0"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("REDIS_TIMEOUT", "soon"),
        ("REDIS_CONNECT_TIMEOUT", "0"),
        ("HEALTH_CHECK_TIMEOUT", "-1"),
        ("DATABASE_OUTAGE_RETRY_SECONDS", "often"),
        ("CELERY_BROKER_URL", "redis://127.0.0.1:6399/0"),
        ("CELERY_RESULT_BACKEND", "redis://127.0.0.1:6399"),
    ],
)
def test_a_bad_timeout_or_a_shared_redis_database_stops_start_up_naming_the_variable(project, variable, value):
    # production_env's REDIS_URL is redis://127.0.0.1:6399/0: the last two share its database.
    result = project.manage("check", env=production_env(**{variable: value}), check=False)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and variable in result.stderr, result.stderr[-2000:]


# --- What the project documents agrees with what it does -----------------------------------


def test_the_docker_health_settings_and_the_docs_agree_with_the_probe_budgets(project):
    dockerfile = (project.path / "Dockerfile").read_text()
    compose = (project.path / "compose.production.yaml").read_text()
    probe = (project.path / "docker" / "healthcheck.py").read_text()
    deployment = (project.path / "docs" / "DEPLOYMENT.md").read_text()
    env_example = (project.path / ".env.example").read_text()

    # docker/healthcheck.py waits longer than the liveness budget, less than Docker does.
    waits = float(re.search(r"^TIMEOUT_SECONDS = ([\d.]+)$", probe, re.M).group(1))
    assert LIVENESS_BUDGET < waits < 2
    assert "--timeout=2s" in re.search(r"^HEALTHCHECK .*$", dockerfile, re.M).group(0)
    web = compose.split("\n  web:\n", 1)[1].split("\n\n", 1)[0]
    assert re.search(r"^\s+timeout: 2s$", web, re.M), web
    assert "| `/api/health/live/` | 1 s | 2 s |" in deployment
    assert "| `/api/health/` | 2 s | 3 s |" in deployment
    for variable in (
        "HEALTH_CHECK_TIMEOUT=1",
        "DATABASE_OUTAGE_RETRY_SECONDS=2",
        "DATABASE_POOL_TIMEOUT=2",
        "REDIS_CONNECT_TIMEOUT=1",
        "REDIS_TIMEOUT=1",
    ):
        assert f"\n{variable}\n" in env_example, variable
