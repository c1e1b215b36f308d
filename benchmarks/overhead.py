"""Request overhead benchmark: the all-on production stack against bare Django + DRF.

Prints, measured side by side in one run (rounds alternate between every variant, so
machine drift hits all of them):
  * requests/second of a trivial DRF view (the same view code in both projects) and of the
    example items list, under gunicorn (production settings, sync workers) and wrk, for a
    bare ``django-admin startproject`` + DRF project and for the all-on generated project;
  * the all-on project with Sentry unset, Sentry live at the default traces rate (pointed
    at a local envelope receiver) and Sentry live at rate 0; the bare project with
    sentry-sdk set up as its documentation shows (the floor for any project using it);
  * the all-on project with one feature's middleware, throttle or integration removed at
    a time: its ratio to bare, and its marginal cost in microseconds of CPU per request
    (measured in one process through the whole WSGI stack, which barely moves when other
    work shares the machine);
  * the spread between rounds of each ratio: the machine's noise.
With ``--gunicorn`` also sync vs gthread workers at 16 and 64 clients; with ``--profile``
where a trivial request's CPU goes, by package (bare, all-on, all-on with Sentry live).

Usage: .venv/bin/python benchmarks/overhead.py [--rounds 2] [--seconds 3] [--long] [--gunicorn]
       [--only VARIANT ...] [--baseline OTHER_TEMPLATE_CHECKOUT] [--cpu-only] [--profile]
  (default: a few minutes; --long: 5 rounds of 10 s; --baseline: an older checkout's all-on
  project joins the same rounds, for before/after). Needs wrk and redis-server.
Nothing here is asserted: read the ratios and their spread, rerun when in doubt.
"""

import argparse
import shutil
import statistics
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cookiecutter.main import cookiecutter

from benchmarks import harness
from benchmarks.foundation import SEED, prepare_bare
from benchmarks.harness import PRODUCTION_ENV, run, run_benchmark, serve, stop, wrk
from tests.support.matrix import all_on, prompt_space
from tests.support.project import clean_env, shared_venv
from tests.support.sentry_receiver import SentryReceiver
from tests.support.services import RedisServer
from tests.support.template import TEMPLATE_DIR

# The same trivial view in both projects: DRF's whole request cycle (authentication,
# permissions, throttles, content negotiation, rendering) around an empty answer.
TRIVIAL_VIEW = """
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class Trivial(APIView):
    permission_classes = [AllowAny]

    def get(self, request, *args, **kwargs):
        return Response({"status": "ok"})
"""
# Sentry as its own documentation sets it up in any Django project (default integrations),
# when the bare variant is given a DSN: the floor any project using sentry-sdk starts from.
BARE_SENTRY_SETTINGS = """
import os

if os.environ.get("SENTRY_DSN"):
    import sentry_sdk

    sentry_sdk.init(
        dsn=os.environ["SENTRY_DSN"],
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0.1")),
    )
"""
BARE_TRIVIAL_URL = """
from bench_views import Trivial

urlpatterns.append(path("api/v1/trivial/", Trivial.as_view()))
"""
# The generated project's own URLs plus the trivial view; BENCH_REMOVE names what one
# variant takes away (middleware class names, "throttles", "query_stats").
GENERATED_BENCH_URLS = """
import os

from django.db.backends.signals import connection_created
from django.urls import path

from bench_views import Trivial
from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("api/v1/trivial/", Trivial.as_view()), *project_urlpatterns]
if "query_stats" in os.environ.get("BENCH_REMOVE", "").split(","):
    # By its dispatch_uid: a receiver connected with one is disconnected only by it.
    connection_created.disconnect(dispatch_uid="observability.queries")
"""
GENERATED_BENCH_SETTINGS = """
import os

from config.settings.production import *

removed = set(filter(None, os.environ.get("BENCH_REMOVE", "").split(",")))
MIDDLEWARE = [m for m in MIDDLEWARE if m.rsplit(".", 1)[-1] not in removed]
if "throttles" in removed:
    REST_FRAMEWORK = {{**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}}
ROOT_URLCONF = "bench_urls"
"""
PATHS = {"trivial": "/api/v1/trivial/", "list": "/api/v1/items/"}
BARE_SENTRY = "bare, stock Sentry live (rate 0.1)"
SENTRY_LIVE = "all-on, Sentry live (default rate)"

# name -> (what BENCH_REMOVE says, Sentry: None unset, else the traces rate)
VARIANTS = {
    "all-on": ("", None),
    SENTRY_LIVE: ("", "default"),
    "all-on, Sentry live (rate 0)": ("", "0"),
    "- request log": ("RequestLogMiddleware", None),
    "- query stats": ("query_stats", None),
    "- throttles": ("throttles", None),
    "- CSP": ("ContentSecurityPolicyMiddleware", None),
    "- Permissions-Policy": ("PermissionsPolicyMiddleware", None),
    "- security headers": ("SecurityHeadersMiddleware", None),
    "- Prometheus": ("PrometheusBeforeMiddleware,PrometheusAfterMiddleware", None),
    "- axes": ("AxesMiddleware", None),
    "- WhiteNoise": ("WhiteNoiseMiddleware", None),
    "- deprecation headers": ("DeprecationMiddleware", None),
    "- database outage guard": ("DatabaseOutageMiddleware", None),
}

# One request through the whole WSGI stack in this process (Sentry's wrapper included).
WSGI_CALL = """
import io, sys, time
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
def call(path):
    environ = {{"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(),
               "wsgi.errors": sys.stderr, "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1"}}
    statuses = []
    body = application(environ, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(body)
    body.close()
    assert statuses[0].startswith("200"), (path, statuses)
"""
# CPU time per request (process_time counts every thread, Sentry's transport too).
CPU_PER_REQUEST = (
    WSGI_CALL
    + """
for path in {paths!r}:
    for _ in range(200):
        call(path)
    runs = []
    for _ in range({repeats}):
        started = time.process_time()
        for _ in range(500):
            call(path)
        runs.append((time.process_time() - started) / 500 * 1e6)
    print(path, round(min(runs)))
"""
)
# Where a request's CPU goes: cProfile's own CPU time per function, summed by package (a
# project app, an installed distribution, a stdlib module; C calls by what they are).
PROFILE_BY_PACKAGE = (
    WSGI_CALL
    + """
import cProfile, collections, os, pstats, sysconfig
for _ in range(200):
    call({path!r})
profile = cProfile.Profile(time.process_time)  # CPU, as the CPU column: waiting is not cost
profile.enable()
for _ in range(1000):
    call({path!r})
profile.disable()
stdlib, here = sysconfig.get_paths()["stdlib"], os.getcwd()
totals = collections.Counter()
for (filename, _, function), (_, _, own, _, _) in pstats.Stats(profile).stats.items():
    if filename == "~":
        name = "C: " + (function.split("'")[1] if "'" in function else function)
    elif "site-packages" in filename:
        name = filename.split("site-packages/")[1].split("/")[0].removesuffix(".py")
    elif filename.startswith(here):
        name = "project: " + "/".join(os.path.relpath(filename, here).split("/")[:2])
    elif filename.startswith(stdlib):
        name = "stdlib: " + os.path.relpath(filename, stdlib).split("/")[0].removesuffix(".py")
    else:
        name = filename
    totals[name] += own
whole = sum(totals.values())
for name, own in totals.most_common(14):
    print(f"{{own / whole:.3f}} {{name}}")
"""
)


def prepare_generated(venv, workdir, env, template=TEMPLATE_DIR):
    project = Path(
        cookiecutter(str(template), no_input=True, output_dir=str(workdir), extra_context=all_on(prompt_space()))
    )
    (project / "bench_views.py").write_text(textwrap.dedent(TRIVIAL_VIEW))
    (project / "bench_urls.py").write_text(textwrap.dedent(GENERATED_BENCH_URLS.format(slug=project.name)))
    (project / "config" / "settings" / "bench.py").write_text(textwrap.dedent(GENERATED_BENCH_SETTINGS.format()))
    run(venv, project, "python", "manage.py", "migrate", "--noinput", env=env)
    run(venv, project, "python", "manage.py", "collectstatic", "--noinput", env=env)
    seed = SEED.format(import_item=f"from {project.name}.items.models import Item")
    run(venv, project, "python", "manage.py", "shell", "-c", seed, env=env)
    return project


def prepare_bare_with_trivial_view(venv, workdir):
    root, env = prepare_bare(venv, workdir)
    (root / "bench_views.py").write_text(textwrap.dedent(TRIVIAL_VIEW))
    with (root / "bare" / "urls.py").open("a") as urls:
        urls.write(textwrap.dedent(BARE_TRIVIAL_URL))
    with (root / "bare" / "settings.py").open("a") as settings:
        settings.write(textwrap.dedent(BARE_SENTRY_SETTINGS))
    return root, env


def variant_env(base, removed, sentry, receiver):
    env = {**base, "DJANGO_SETTINGS_MODULE": "config.settings.bench", "BENCH_REMOVE": removed, "SENTRY_DSN": ""}
    if sentry is not None:
        env["SENTRY_DSN"] = receiver.dsn
        env.pop("SENTRY_TRACES_SAMPLE_RATE", None)
        if sentry != "default":
            env["SENTRY_TRACES_SAMPLE_RATE"] = sentry
    return env


def spread(values):
    """Half the range between rounds, as a share of the median: the noise of one number."""
    middle = statistics.median(values)
    return (max(values) - min(values)) / 2 / middle if middle else float("nan")


def throughput(venv, servers, args, results):
    for round_number in range(args.rounds):
        order = list(servers.items())
        if round_number % 2:  # alternate the order too, so no variant always runs first
            order.reverse()
        for name, (cwd, env, app) in order:
            print(f"round {round_number + 1}: {name}", file=sys.stderr, flush=True)
            process, base = serve(venv, cwd, env, args.workers, app=app)
            try:
                for key, path in PATHS.items():
                    wrk(base + path, 1, args.connections)  # warm up
                    results[(name, key)].append(wrk(base + path, args.seconds, args.connections))
                    print(f"  {path}: {results[(name, key)][-1]:.0f} req/s", file=sys.stderr, flush=True)
            finally:
                stop(process)


def cpu_per_request(venv, cwd, env, repeats):
    out = run(venv, cwd, "python", "-c", CPU_PER_REQUEST.format(paths=list(PATHS.values()), repeats=repeats), env=env)
    return {path: float(us) for path, us in (line.rsplit(" ", 1) for line in out.stdout.splitlines())}


def print_profile(venv, servers, names, cpu):
    """The share of each package in a trivial request's CPU, as µs of the measured total."""
    for name in names:
        cwd, env, _ = servers[name]
        out = run(venv, cwd, "python", "-c", PROFILE_BY_PACKAGE.format(path=PATHS["trivial"]), env=env)
        total = cpu[name][PATHS["trivial"]]
        print(f"\nwhere the CPU of one trivial request goes, {name} ({total:.0f} µs; cProfile, own time):")
        for line in out.stdout.splitlines():
            share, package = line.split(" ", 1)
            print(f"  {float(share):5.1%} {float(share) * total:6.0f} µs  {package}")


def gunicorn_workers(venv, cwd, env, args):
    """sync vs gthread on the items list, 2 workers, at 16 and 64 clients."""
    kinds = {"sync": 1, "gthread x4": 4}
    results = {(kind, clients): [] for kind in kinds for clients in (16, 64)}
    for _ in range(args.rounds):
        for kind, threads in kinds.items():
            process, base = serve(venv, cwd, env, args.workers, threads=threads)
            try:
                for clients in (16, 64):
                    wrk(base + PATHS["list"], 1, clients)
                    results[(kind, clients)].append(wrk(base + PATHS["list"], args.seconds, clients))
            finally:
                stop(process)
    print(f"\ngunicorn worker class, items list, {args.workers} workers (median req/s of {args.rounds}, spread):")
    for (kind, clients), values in results.items():
        print(f"  {kind:11} {clients:3} clients  {statistics.median(values):7.0f} req/s  ±{spread(values):.0%}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--long", action="store_true", help="5 rounds of 10 s")
    parser.add_argument("--only", nargs="*", help="variant names to keep (default: all)")
    parser.add_argument("--gunicorn", action="store_true", help="also sync vs gthread at 16 and 64 clients")
    parser.add_argument("--cpu-only", action="store_true", help="only the CPU per request (quick, least noisy)")
    parser.add_argument("--profile", action="store_true", help="also where a request's CPU goes, by package")
    parser.add_argument(
        "--baseline", type=Path, help="another checkout of the template: its all-on project joins the rounds"
    )
    args = parser.parse_args()
    if args.long:
        args.rounds, args.seconds = 5, 10
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    venv = shared_venv()
    redis = RedisServer().start()
    receiver = SentryReceiver().start()
    with harness.workspace("routex-overhead-", receiver, redis) as workdir:
        # INFO, production's default: the request log writes its line for every request.
        base_env = clean_env(**{**PRODUCTION_ENV, "DJANGO_LOG_LEVEL": "INFO"}, REDIS_URL=redis.url(), SENTRY_DSN="")
        generated = prepare_generated(venv, workdir / "generated", base_env)
        bare, bare_env = prepare_bare_with_trivial_view(venv, workdir)
        variants = {k: v for k, v in VARIANTS.items() if not args.only or k in args.only or k == "all-on"}
        servers = {"bare": (bare, bare_env, "bare.wsgi:application")}
        if not args.only or BARE_SENTRY in args.only:
            servers[BARE_SENTRY] = (bare, {**bare_env, "SENTRY_DSN": receiver.dsn}, "bare.wsgi:application")
        if args.baseline:
            baseline = prepare_generated(venv, workdir / "baseline", base_env, template=args.baseline)
            for name, sentry in (("baseline all-on", None), ("baseline all-on, Sentry live (default rate)", "default")):
                servers[name] = (baseline, variant_env(base_env, "", sentry, receiver), "config.wsgi:application")
        for name, (removed, sentry) in variants.items():
            servers[name] = (generated, variant_env(base_env, removed, sentry, receiver), "config.wsgi:application")
        results = {(name, key): [] for name in servers for key in PATHS}
        if not args.cpu_only:
            throughput(venv, servers, args, results)
        else:
            for key in results:
                results[key] = [1.0]
        cpu = {name: cpu_per_request(venv, cwd, env, 3) for name, (cwd, env, _) in servers.items()}

        print(
            f"gunicorn {args.workers} sync workers, wrk 2 threads x {args.connections} connections, "
            f"{args.rounds} alternating rounds of {args.seconds}s; ratio = median of per-round ratios to bare "
            f"(± half their range); CPU = us per request in one process; Δ = vs all-on (bare variants: vs bare)"
        )
        header = f"{'variant':44}"
        for key in PATHS:
            header += f" | {key + ' req/s':>12} {'ratio':>11} {'CPU us':>7} {'Δ us':>6}"
        print(header)
        for name in servers:
            line = f"{name:44}"
            for key, path in PATHS.items():
                ratios = [v / b for v, b in zip(results[(name, key)], results[("bare", key)], strict=True)]
                delta = cpu[name][path] - cpu["bare" if name.startswith("bare") else "all-on"][path]
                line += (
                    f" | {statistics.median(results[(name, key)]):12.0f} {statistics.median(ratios):5.2f} "
                    f"±{spread(ratios):4.0%} {cpu[name][path]:7.0f} {delta:+6.0f}"
                )
            print(line)
        print(f"Sentry transactions received: {len(receiver.of_type('transaction'))}")
        if args.profile:
            print_profile(venv, servers, [n for n in ("bare", "all-on", SENTRY_LIVE) if n in servers], cpu)
        if args.gunicorn:
            gunicorn_workers(venv, generated, variant_env(base_env, "", "default", receiver), args)


if __name__ == "__main__":
    run_benchmark(main)
