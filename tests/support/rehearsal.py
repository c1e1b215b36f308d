"""The production rehearsal's deployment: the all-on project run the way a team runs it.

Everything is a real process on 127.0.0.1, built from the other harness pieces:
``PasswordPostgres`` (stopped and started for the faults), ``RedisServer``, ``SmtpServer``
(the mail provider), ``SentryReceiver`` (the DSN host), ``Gunicorn`` behind ``TlsProxy``
(nginx terminating TLS), a ``CeleryWorker`` and Celery beat. The environment is written
to a file the way docs/DEPLOYMENT.md says (systemd ``EnvironmentFile=``) and every process
gets it from that file. ``Report`` collects what the rehearsal measured and writes the
report (see docs/rehearsal-report-sample.md).
"""

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from .data_safety import PasswordPostgres
from .services import wait_for_port

# --- The environment file ----------------------------------------------------------------


def write_env_file(path, values):
    """KEY=VALUE lines, as systemd's EnvironmentFile= and docker compose's env_file: read."""
    lines = ["# Production environment (docs/DEPLOYMENT.md): never commit this file."]
    for key, value in values.items():
        value = str(value)
        lines.append(f'{key}="{value}"' if re.search(r"[\s<>#\"']", value) else f"{key}={value}")
    Path(path).write_text("\n".join(lines) + "\n")
    Path(path).chmod(0o600)


def read_env_file(path):
    """The variables of an EnvironmentFile= (comments, blank lines and quotes as systemd)."""
    values = {}
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


# --- PostgreSQL that can be stopped and started again on the same port -------------------


class RehearsalPostgres(PasswordPostgres):
    OPTIONS = "-c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200"

    def stop_server(self):
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def start_server(self):
        # With -l: otherwise the server keeps our output pipe open and run() never returns.
        self.run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w",
            "-o", f"-p {self.port} -k {self.root} {self.OPTIONS}", "start",
        )  # fmt: skip
        wait_for_port(self.port)


# --- Connection counting -----------------------------------------------------------------

# Runs in the generated project's venv (psycopg): the peak number of server connections,
# in all and per application_name (each process sets PGAPPNAME: web, worker, beat).
PEAK_SAMPLER = """
import json, sys, time, pathlib, psycopg
dsn, database, stop = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
peak, per_app = 0, {}
with psycopg.connect(dsn, autocommit=True) as conn:
    while not stop.exists():
        rows = conn.execute(
            "SELECT application_name, count(*) FROM pg_stat_activity"
            " WHERE datname = %s AND backend_type = 'client backend' GROUP BY 1",
            (database,),
        ).fetchall()
        peak = max(peak, sum(count for _, count in rows))
        for name, count in rows:
            per_app[name] = max(per_app.get(name, 0), count)
        time.sleep(0.01)
print(json.dumps({"total": peak, "per_app": per_app}))
"""


class ConnectionSampler:
    def __init__(self, project, dsn, database):
        self.stop_file = Path(tempfile.mkdtemp(prefix="routex-sampler-")) / "stop"
        self.process = subprocess.Popen(
            [str(project.venv / "bin" / "python"), "-c", PEAK_SAMPLER, dsn, database, str(self.stop_file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def finish(self):
        self.stop_file.touch()
        out, err = self.process.communicate(timeout=60)
        if self.process.returncode != 0:
            raise AssertionError(f"connection sampler failed: {err[-2000:]}")
        return json.loads(out)


# --- The load run (wrk, from Debian) -----------------------------------------------------

# Each wrk thread stops after its share of responses and counts statuses and Retry-After.
WRK_SCRIPT = """
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("number", #threads)
end

function init(args)
  quota = tonumber(args[1])
  marker = args[2] .. "-" .. tostring(number)
  count = 0
  statuses = {}
  retry_missing = 0
  retry_min = 1e12
  retry_max = 0
end

function response(status, headers, body)
  count = count + 1
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if status == 429 then
    local value = tonumber(headers["Retry-After"] or headers["retry-after"] or "")
    if value == nil then
      retry_missing = retry_missing + 1
    else
      if value < retry_min then retry_min = value end
      if value > retry_max then retry_max = value end
    end
  end
  if count == quota then
    -- wrk waits out its duration even when every thread stopped: tell the caller.
    local file = io.open(marker, "w")
    file:write("done")
    file:close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local total = {}
  local missing, rmin, rmax = 0, 1e12, 0
  for _, thread in ipairs(threads) do
    for key, value in pairs(thread:get("statuses")) do
      total[key] = (total[key] or 0) + value
    end
    missing = missing + thread:get("retry_missing")
    rmin = math.min(rmin, thread:get("retry_min"))
    rmax = math.max(rmax, thread:get("retry_max"))
  end
  local parts = {}
  for key, value in pairs(total) do
    table.insert(parts, string.format('"%s": %d', key, value))
  end
  local errors = summary.errors
  io.write(string.format(
    'REHEARSAL-WRK {"statuses": {%s}, "retry_after_missing": %d, "retry_after_min": %d, '
    .. '"retry_after_max": %d, "socket_errors": %d, "timeouts": %d, "seconds": %.2f, '
    .. '"latency_p50_ms": %.1f, "latency_p99_ms": %.1f}\\n',
    table.concat(parts, ", "), missing, rmin, rmax,
    errors.connect + errors.read + errors.write, errors.timeout, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def run_wrk(url, folder, total, connections=32, threads=2, timeout=600, headers=()):
    """``total`` requests from ``connections`` clients (in-flight ones at the end uncounted).

    ``headers``: "Name: value" lines every request carries (an Authorization header, say).
    """
    folder = Path(folder)
    script = folder / "rehearsal.lua"
    script.write_text(WRK_SCRIPT)
    marker = folder / "wrk-thread"
    for previous in folder.glob("wrk-thread-*"):
        previous.unlink()  # an earlier run's markers would end this one at once
    quota = total // threads
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{timeout}s", "--timeout", "60s",
               *(part for header in headers for part in ("-H", header)),
               "-s", str(script), url, "--", str(quota), str(marker)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        if len(list(folder.glob("wrk-thread-*"))) == threads:
            break
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)  # wrk then prints its summary (and runs done())
    stdout, stderr = process.communicate(timeout=120)
    line = next((x for x in stdout.splitlines() if x.startswith("REHEARSAL-WRK ")), None)
    if line is None:
        raise AssertionError(f"wrk failed ({shlex.join(command)}):\n{stdout}\n{stderr}")
    summary = json.loads(line.removeprefix("REHEARSAL-WRK "))
    summary["statuses"] = {int(k): v for k, v in summary["statuses"].items()}
    return summary


# --- Processes ---------------------------------------------------------------------------


def pids_of(command_part):
    """[(pid, ppid)] of our processes whose command line contains ``command_part``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if command_part in cmdline:
                stat = (entry / "stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                found.append((int(entry.name), ppid))
    return found


def wait_until(predicate, timeout, interval=0.2, what="condition", quiet=False):
    """The first truthy value of ``predicate()``; AssertionError (or None if quiet) at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    if quiet:
        return None
    raise AssertionError(f"{what} not reached within {timeout}s")


class CeleryBeat:
    def __init__(self, project, env, folder):
        from .project import clean_env

        self.project = project
        self.env = clean_env(**env)
        self.folder = Path(folder)
        self.log = self.folder / "beat.log"
        self.process = None

    def start(self):
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [str(self.project.venv / "bin" / "celery"), "-A", "config", "beat", "--loglevel", "INFO",
                 "--schedule", str(self.folder / "celerybeat-schedule"), "--pidfile", ""],
                cwd=self.project.path,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        return self

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def stop(self):
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


# --- Probe timings during a fault --------------------------------------------------------


class ProbeSampler:
    """Asks ``get(path)`` every ``interval`` on a thread of its own until stopped."""

    def __init__(self, get, path, interval=0.25):
        self.get, self.path, self.interval = get, path, interval
        self.answers = []  # (seconds since start when asked, status, seconds to answer)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.started = time.monotonic()

    def _run(self):
        while not self.stopping.is_set():
            asked = time.monotonic()
            try:
                answer = self.get(self.path)
                status, seconds = answer.status, answer.seconds
            except OSError as error:  # no answer at all counts as a failed probe
                status, seconds = type(error).__name__, time.monotonic() - asked
            self.answers.append((asked - self.started, status, seconds))
            self.stopping.wait(self.interval)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(60)

    def slowest(self, after=0.0):
        return max((seconds for asked, _, seconds in self.answers if asked >= after), default=0.0)

    def statuses(self):
        return sorted(Counter(str(status) for _, status, _ in self.answers).items())

    def summary(self, settled_after=None):
        text = f"{self.path} {self.statuses()} slowest {self.slowest():.2f}s"
        if settled_after is not None:
            text += f" ({self.slowest(settled_after):.2f}s after {settled_after:.0f}s)"
        return text


# --- A backup destination that can fill up or turn read-only -----------------------------


class SmallDisk:
    """A tiny tmpfs mounted at ``path`` (root only): it can be filled, or remounted read-only."""

    def __init__(self, path, size="24m"):
        self.path = Path(path)
        self.size = size
        self.mounted = False
        self.problem = None

    def mount(self):
        self.path.mkdir(parents=True, exist_ok=True)
        if os.geteuid() != 0 or not shutil.which("mount"):
            self.problem = "mounting a small file system for the full-disk fault needs root"
            return self
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={self.size},mode=0700", "tmpfs", str(self.path)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            self.problem = f"cannot mount a tmpfs here ({result.stderr.strip()}): no full-disk fault"
        else:
            self.mounted = True
        return self

    def fill(self):
        """Write a filler file until the disk is full; returns its path."""
        filler = self.path / ".filler"
        with filler.open("wb") as out:
            chunk = b"\0" * (64 * 1024)
            with contextlib.suppress(OSError):
                while True:
                    out.write(chunk)
                    out.flush()
        return filler

    def remount(self, mode):
        subprocess.run(["mount", "-o", f"remount,{mode}", str(self.path)], check=True, capture_output=True)

    def unmount(self):
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.path)], check=False, capture_output=True)
            self.mounted = False


# --- The report --------------------------------------------------------------------------


class Report:
    def __init__(self):
        self.facts = {}
        self.faults = []
        self.notes = []
        self.started = time.monotonic()

    def fact(self, name, value):
        self.facts[name] = value

    def fault(self, name, injected, recovered, details):
        self.faults.append({"fault": name, "injected": injected, "recovered": recovered, "details": details})

    def note(self, text):
        self.notes.append(text)

    def markdown(self):
        lines = [
            "# Production rehearsal report",
            "",
            "The all-on generated project deployed on 127.0.0.1 (nginx TLS -> gunicorn, PostgreSQL",
            "with psycopg_pool, Redis, Celery worker and beat, SMTP, a Sentry receiver), driven by",
            "real clients with faults injected; written by `tests/test_rehearsal.py`.",
            "",
            "| measure | value |",
            "|---|---|",
        ]
        lines += [f"| {name} | {value} |" for name, value in self.facts.items()]
        lines += ["", "## Faults", "", "| fault | injected | recovered | details |", "|---|---|---|---|"]
        for fault in self.faults:
            lines.append(
                f"| {fault['fault']} | {'yes' if fault['injected'] else 'no'} | "
                f"{'yes' if fault['recovered'] else 'no'} | {fault['details']} |"
            )
        if self.notes:
            lines += ["", "## Notes", ""] + [f"- {note}" for note in self.notes]
        lines += ["", f"Rehearsal wall time: {time.monotonic() - self.started:.0f}s.", ""]
        return "\n".join(lines)

    def write(self, folder):
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "rehearsal-report.md").write_text(self.markdown())
        (folder / "rehearsal-report.json").write_text(
            json.dumps({"facts": self.facts, "faults": self.faults, "notes": self.notes}, indent=2)
        )
        return folder / "rehearsal-report.md"
