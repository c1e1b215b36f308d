"""Edge security benchmark: what the headers and rate limits cost, and whether limits hold.

Prints, measured side by side in one run (rounds alternate between the two projects):
  * requests/second of the example list endpoint and of /api/health/live/ under gunicorn
    (production settings, Redis cache) for the default project (CSP, Permissions-Policy,
    throttles, django-axes on; rates far above the load) and for the same project with
    use_csp, use_permissions_policy and use_throttling off;
  * a concurrent burst against the sensitive tier (limit N per hour, several workers):
    how many requests got past the limit (the atomic counters should let exactly N).

Usage: .venv/bin/python benchmarks/edge_security.py [--seconds 10] [--rounds 3]
Needs wrk and redis-server. Nothing is asserted: read the numbers, rerun when in doubt.
"""

import concurrent.futures
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cookiecutter.main import cookiecutter

from benchmarks import harness
from benchmarks.harness import PRODUCTION_ENV, on_off_throughput, run, run_benchmark, serve, throughput_arguments
from tests.support.project import clean_env, shared_venv
from tests.support.services import RedisServer
from tests.support.template import TEMPLATE_DIR

QUIET = {"use_sentry": False, "use_celery": False, "use_db_backups": False, "db_pooling": "none"}
EDGE_OFF = {"use_csp": False, "use_permissions_policy": False, "use_throttling": False}
ENV = PRODUCTION_ENV


def prepare(venv, workdir, name, answers, env):
    out = str(workdir / name)
    project = Path(cookiecutter(str(TEMPLATE_DIR), no_input=True, output_dir=out, extra_context=answers))
    run(venv, project, "python", "manage.py", "migrate", "--noinput", env=env)
    run(venv, project, "python", "manage.py", "collectstatic", "--noinput", env=env)
    return project


def burst(base, requests):
    """Concurrent wrong-password token requests; how many got past the limit (400, not 429)."""

    def post(n):
        data = json.dumps({"email": f"u{n}@example.org", "password": "wrong"}).encode()
        request = urllib.request.Request(f"{base}/api/auth/token/", data, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        return sum(status == 400 for status in pool.map(post, range(requests)))


def main():
    parser = throughput_arguments(connections=8, workers=3, rounds=3)
    parser.add_argument("--limit", type=int, default=10)
    args = parser.parse_args()

    venv = shared_venv()
    redis = RedisServer().start()
    with harness.workspace("routex-edge-bench-", redis) as workdir:
        env = clean_env(**ENV, REDIS_URL=redis.url())
        projects = {
            "on": prepare(venv, workdir, "on", QUIET, env),
            "off": prepare(venv, workdir, "off", {**QUIET, **EDGE_OFF}, env),
        }
        paths = {"list": "/api/v1/items/", "live": "/api/health/live/"}
        medians = on_off_throughput(venv, projects, env, paths, args, served_with="Redis cache")
        for key, path in paths.items():
            on, off = medians[("on", key)], medians[("off", key)]
            print(f"  {path:20} edge security off {off:7.0f} req/s   on {on:7.0f} req/s   ratio {on / off:.2f}")

        requests = 6 * args.limit
        burst_env = {**env, "THROTTLE_SENSITIVE_RATE": f"{args.limit}/hour"}
        process, base = serve(venv, projects["on"], burst_env, args.workers)
        try:
            passed = burst(base, requests)
        finally:
            process.terminate()
            process.wait(30)
        print(
            f"sensitive tier: {requests} concurrent requests from one IP, limit {args.limit}/hour, {passed} got past it"
        )


if __name__ == "__main__":
    run_benchmark(main)
