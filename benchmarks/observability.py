"""Observability benchmark: what Sentry, Prometheus and the error log cost per request.

Prints, measured side by side in one run (rounds alternate between the two projects so
machine drift hits both):
  * requests/second of the example list endpoint and of /api/health/live/ under gunicorn
    (production settings) for the all-on project with SENTRY_DSN pointing at a local
    envelope receiver (default sample rates), and for the same project generated with
    use_sentry, use_prometheus, use_admin_error_log and use_debug_toolbar off; the ratio
    is the share of throughput the instrumentation keeps (goal: >= 0.80);
  * the per-query cost of the always-on query monitor (observability.queries), in microseconds.

Usage: .venv/bin/python benchmarks/observability.py [--seconds 10] [--rounds 3]
Needs wrk and redis-server. Nothing is asserted: read the ratios, rerun when in doubt.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cookiecutter.main import cookiecutter

from benchmarks import harness
from benchmarks.harness import PRODUCTION_ENV, on_off_throughput, run, run_benchmark, throughput_arguments
from tests.support.project import clean_env, shared_venv
from tests.support.sentry_receiver import SentryReceiver
from tests.support.services import RedisServer
from tests.support.template import TEMPLATE_DIR

OBSERVABILITY_OFF = {
    "use_sentry": False,
    "use_prometheus": False,
    "use_admin_error_log": False,
    "use_debug_toolbar": False,
}
ENV = {**PRODUCTION_ENV, "METRICS_TOKEN": "benchmark-metrics-token"}
SEED = (
    "from django.contrib.auth import get_user_model; from {slug}.items.models import Item; "
    "u = get_user_model().objects.create_user('bench', password='bench-pass-123'); "
    "Item.objects.bulk_create(Item(owner=u, name=f'item {{i}}', description='x' * 200) for i in range(50))"
)
# CPU time per request in one process, through the whole WSGI stack (Sentry's wrapper
# included): unlike req/s it barely moves when other work shares the machine.
CPU_PER_REQUEST = """
import io, sys, time
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
def call(path):
    environ = {{"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(),
               "wsgi.errors": sys.stderr, "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1"}}
    body = application(environ, lambda status, headers, exc_info=None: None)
    b"".join(body)
    body.close()
for path in {paths!r}:
    for _ in range(300):
        call(path)
    runs = []
    for _ in range(5):
        started = time.process_time()
        for _ in range(1000):
            call(path)
        runs.append((time.process_time() - started) / 1000 * 1e6)
    print(path, round(min(runs)))
"""
QUERY_COST = """
import time, django
django.setup()
from django.db import connection
from {slug}.observability.queries import record_query
connection.ensure_connection()
def run(n):
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for _ in range(n):
            cursor.execute("SELECT 1")
        return time.perf_counter() - started
n = 20000
run(1000)
with_monitor = min(run(n) for _ in range(3))
connection.execute_wrappers.remove(record_query)
without = min(run(n) for _ in range(3))
print(f"{{(with_monitor - without) / n * 1e6:.2f}} {{with_monitor / n * 1e6:.2f}} {{without / n * 1e6:.2f}}")
"""


def prepare(venv, workdir, name, answers, env):
    out = str(workdir / name)
    project = Path(cookiecutter(str(TEMPLATE_DIR), no_input=True, output_dir=out, extra_context=answers))
    run(venv, project, "python", "manage.py", "migrate", "--noinput", env=env)
    run(venv, project, "python", "manage.py", "collectstatic", "--noinput", env=env)
    run(venv, project, "python", "manage.py", "shell", "-c", SEED.format(slug=project.name), env=env)
    return project


def main():
    parser = throughput_arguments(connections=8, workers=2, rounds=3)
    args = parser.parse_args()

    venv = shared_venv()
    redis = RedisServer().start()
    receiver = SentryReceiver().start()
    with harness.workspace("routex-obs-bench-", receiver, redis) as workdir:
        env = clean_env(**ENV, REDIS_URL=redis.url(), SENTRY_DSN=receiver.dsn)
        projects = {
            "on": prepare(venv, workdir, "on", {}, env),
            "off": prepare(venv, workdir, "off", OBSERVABILITY_OFF, env),
        }
        paths = {"list": "/api/v1/items/", "live": "/api/health/live/"}
        medians = on_off_throughput(venv, projects, env, paths, args, served_with="SENTRY_DSN at a local receiver")
        for key, path in paths.items():
            on, off = medians[("on", key)], medians[("off", key)]
            print(f"  {path:20} observability off {off:7.0f} req/s   all on {on:7.0f} req/s   ratio {on / off:.2f}")
        transactions = len(receiver.of_type("transaction"))
        print(f"  Sentry transactions received: {transactions} (sampled at the production default)")

        cpu = {}
        for name, cwd in projects.items():
            out = run(venv, cwd, "python", "-c", CPU_PER_REQUEST.format(paths=list(paths.values())), env=env).stdout
            cpu[name] = dict(line.rsplit(" ", 1) for line in out.splitlines() if line.startswith("/"))
        print("CPU time per request in one process (min of 5 x 1000):")
        for path in paths.values():
            on, off = float(cpu["on"][path]), float(cpu["off"][path])
            print(f"  {path:20} observability off {off:7.0f} us   all on {on:7.0f} us   ratio {off / on:.2f}")

        slug = projects["on"].name
        cost = run(venv, projects["on"], "python", "-c", QUERY_COST.format(slug=slug), env=env).stdout.split()
        print(
            f"query monitor: +{cost[0]} us per query (SELECT 1 on SQLite: {cost[1]} us with it, {cost[2]} us without)"
        )


if __name__ == "__main__":
    run_benchmark(main)
