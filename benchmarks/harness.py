"""What every benchmark here shares: a production-like environment, gunicorn, and wrk.

Each benchmark bakes the projects it compares, serves them side by side with ``serve``
and loads them with ``wrk``; these helpers keep the measurement itself identical across
benchmarks, so their ratios can be compared.
"""

import re
import statistics
import subprocess
import sys
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


def alternating_throughput(venv, projects, env, paths, *, rounds, seconds, connections, workers):
    """{(project name, path key): median requests/second} of ``projects`` ({name: folder}).

    Each round serves every project in turn and measures each of ``paths`` ({key: path})
    after a short warm-up, so a machine that speeds up or slows down during the run
    affects every project alike.
    """
    results = {(name, key): [] for name in projects for key in paths}
    for _ in range(rounds):
        for name, cwd in projects.items():
            process, base = serve(venv, cwd, env, workers)
            try:
                for key, path in paths.items():
                    wrk(base + path, 2, connections)  # warm up
                    results[(name, key)].append(wrk(base + path, seconds, connections))
            finally:
                stop(process)
    return {measured: statistics.median(runs) for measured, runs in results.items()}


def stop(process):
    process.terminate()
    process.wait(30)
