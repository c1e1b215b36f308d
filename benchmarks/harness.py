"""What every benchmark here shares: a production-like environment, gunicorn, and wrk.

Each benchmark bakes the projects it compares, serves them side by side with ``serve``
and loads them with ``wrk``; these helpers keep the measurement itself identical across
benchmarks, so their ratios can be compared.
"""

import argparse
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.project import production_env
from tests.support.services import free_port, wait_for_port

# Throttles far above any load a benchmark produces: they measure speed, not limits.
UNLIMITED = "100000000/second"
# Each benchmark names its own cache (REDIS_URL), or none.
PRODUCTION_ENV = production_env(
    REDIS_URL=None,
    DJANGO_ALLOWED_HOSTS="127.0.0.1",
    DJANGO_SECURE_SSL_REDIRECT="false",
    DJANGO_LOG_LEVEL="WARNING",
    DJANGO_STATIC_REQUIRE_MANIFEST="false",
    THROTTLE_ANON_RATE=UNLIMITED,
    THROTTLE_ANON_BURST_RATE=UNLIMITED,
    THROTTLE_USER_RATE=UNLIMITED,
    THROTTLE_USER_BURST_RATE=UNLIMITED,
    THROTTLE_SCOPE_RATES=f"items={UNLIMITED}",
    TRUSTED_PROXIES="",
)


@contextlib.contextmanager
def workspace(prefix, *services):
    """A scratch folder for a benchmark's projects; on the way out, however it ends,
    ``services`` stop (in that order) and the folder goes."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield workdir
    finally:
        for service in services:
            service.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def run(venv, cwd, *args, env):
    """A command from the venv's bin, in ``cwd``; raises on failure."""
    return subprocess.run(
        [str(venv / "bin" / args[0]), *args[1:]], cwd=cwd, env=env, check=True, capture_output=True, text=True
    )


def wrk(url, seconds, connections):
    """Requests/second; any non-2xx answer makes the run invalid rather than fast."""
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url}: {errors[1]} non-2xx responses during the benchmark:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])


def serve(venv, cwd, env, workers, threads=1, app="config.wsgi:application"):
    """gunicorn on a free loopback port: (process, base URL)."""
    port = free_port()
    process = subprocess.Popen(
        # "-m": a shared venv's console scripts may name another checkout's interpreter.
        [str(venv / "bin" / "python"), "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--log-level", "warning"],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_port(port)
    return process, f"http://127.0.0.1:{port}"


class Site:
    """A project folder served by gunicorn with ``env`` (its WSGI application: ``app``)."""

    def __init__(self, folder, env, app="config.wsgi:application"):
        self.folder, self.env, self.app = folder, env, app


def throughput_arguments(*, workers, rounds, connections=None, seconds=10):
    """The options every throughput benchmark takes, with its own defaults (``--connections``
    unless it measures several client counts of its own); exits at once without wrk."""
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    parser = argparse.ArgumentParser(description=sys.modules["__main__"].__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=seconds)
    if connections is not None:
        parser.add_argument("--connections", type=int, default=connections)
    parser.add_argument("--workers", type=int, default=workers)
    parser.add_argument("--rounds", type=int, default=rounds)
    return parser


def run_benchmark(main):
    """Run a benchmark's ``main``: each project it serves gets its settings from its own env."""
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    main()


def alternating_throughput(venv, sites, loads, *, rounds, seconds, workers, threads=1):
    """{(site name, load key): median requests/second}.

    ``sites`` is {name: Site}, ``loads`` {key: (path, connections)}. Each round serves every
    site in turn and runs each load after a short warm-up, so a machine that speeds up or
    slows down during the run affects every site alike.
    """
    results = {(name, key): [] for name in sites for key in loads}
    for _ in range(rounds):
        for name, site in sites.items():
            process, base = serve(venv, site.folder, site.env, workers, threads, app=site.app)
            try:
                for key, (path, connections) in loads.items():
                    wrk(base + path, 2, connections)  # warm up
                    results[(name, key)].append(wrk(base + path, seconds, connections))
            finally:
                stop(process)
    return {measured: statistics.median(runs) for measured, runs in results.items()}


def on_off_throughput(venv, projects, env, paths, args, served_with):
    """Prints and returns the medians of ``alternating_throughput`` for the projects "on"
    and "off" ({name: folder}, both served with ``env``), each of ``paths`` ({key: path}) at
    ``args.connections``; ``served_with`` ends the heading (what the run is served with)."""
    sites = {name: Site(folder, env) for name, folder in projects.items()}
    loads = {key: (path, args.connections) for key, path in paths.items()}
    medians = alternating_throughput(venv, sites, loads, rounds=args.rounds, seconds=args.seconds, workers=args.workers)
    print(
        f"throughput under gunicorn ({args.workers} workers, {args.connections} connections, "
        f"median of {args.rounds} x {args.seconds}s), {served_with}:"
    )
    return medians


def stop(process):
    process.terminate()
    process.wait(30)
