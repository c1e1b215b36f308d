"""Several instances of a generated project, each in a network namespace of its own.

``Network`` creates a bridge in the root namespace (the host side, where PostgreSQL, Redis
and the nginx load balancer live) and one namespace per instance, joined to it by a veth
pair, on a private /24 picked so that it overlaps nothing the host routes. Traffic goes
only to those addresses and to loopback. ``Instance`` is gunicorn (the project's
gunicorn.conf.py, production settings) run inside a namespace; ``Beat`` is Celery beat
likewise. Everything is removed by ``stop``/``destroy``, which the test calls in
``finally`` blocks.
"""

import contextlib
import ipaddress
import json
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from .edge import gunicorn_env
from .services import wait_for_port

APP_PORT = 8000


def ip(*args, check=True):
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check)


def routed_networks():
    """Every IPv4 network the root namespace routes or has an address in."""
    found = []
    for line in (
        ip("-4", "route", "show", "table", "all").stdout.splitlines() + ip("-4", "-o", "addr").stdout.splitlines()
    ):
        for word in line.split():
            with contextlib.suppress(ValueError):
                if "/" in word or word[0].isdigit():
                    found.append(ipaddress.ip_network(word, strict=False))
    return found


def free_subnet():
    """A 10.x.y.0/24 that overlaps nothing on this host."""
    taken = routed_networks()
    for _ in range(200):
        candidate = ipaddress.ip_network(f"10.{random.randint(100, 250)}.{random.randint(0, 255)}.0/24")
        if not any(candidate.overlaps(network) for network in taken if network.prefixlen > 0):
            return candidate
    raise AssertionError("no free 10.x.y.0/24 on this host")


class Network:
    def __init__(self, count):
        self.tag = f"{os.getpid() % 100000:05d}{random.randint(0, 9)}"
        self.subnet = free_subnet()
        hosts = list(self.subnet.hosts())
        self.bridge = f"rxbr{self.tag}"
        self.host_address = str(hosts[0])
        self.namespaces = [f"routex-{self.tag}-{n}" for n in range(count)]
        self.addresses = [str(hosts[10 + n]) for n in range(count)]
        self.created = []

    def create(self):
        prefix = self.subnet.prefixlen
        ip("link", "add", "name", self.bridge, "type", "bridge")
        self.created.append(("link", self.bridge))
        ip("addr", "add", f"{self.host_address}/{prefix}", "dev", self.bridge)
        ip("link", "set", self.bridge, "up")
        for n, (namespace, address) in enumerate(zip(self.namespaces, self.addresses, strict=True)):
            host_end, namespace_end = f"rxh{self.tag}{n}", f"rxn{self.tag}{n}"
            ip("netns", "add", namespace)
            self.created.append(("netns", namespace))
            ip("link", "add", host_end, "type", "veth", "peer", "name", namespace_end)
            self.created.append(("link", host_end))
            ip("link", "set", namespace_end, "netns", namespace)
            ip("link", "set", host_end, "master", self.bridge)
            ip("link", "set", host_end, "up")
            ip("-n", namespace, "addr", "add", f"{address}/{prefix}", "dev", namespace_end)
            ip("-n", namespace, "link", "set", namespace_end, "up")
            ip("-n", namespace, "link", "set", "lo", "up")
        return self

    def destroy(self):
        for kind, name in reversed(self.created):
            if kind == "netns":
                ip("netns", "del", name, check=False)
            else:
                ip("link", "del", name, check=False)
        self.created = []

    def leftovers(self):
        """Namespaces and links of ours still present (empty after destroy)."""
        names = ip("netns", "list").stdout + ip("-o", "link").stdout
        return [name for name in [*self.namespaces, self.bridge] if name in names]


class RedisOnBridge:
    """redis-server on loopback and the bridge address (the namespaces reach it there)."""

    def __init__(self, host_address, port):
        self.host_address = host_address
        self.port = port
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port),
             "--bind", f"127.0.0.1 {self.host_address}", "--protected-mode", "no",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port)
        return self

    def url(self, host, db=0):
        return f"redis://{host}:{self.port}/{db}"

    def stop(self):
        stop_process(self.process)


def stop_process(process, timeout=30):
    """SIGTERM, then SIGKILL if it has not exited within ``timeout`` seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


class InNamespace:
    """A command of the project's venv run inside a network namespace, logging to a file."""

    def __init__(self, project, env, namespace, name):
        from .project import clean_env

        self.project = project
        self.env = clean_env(**env)
        self.namespace = namespace
        self.log = Path(tempfile.mkstemp(prefix=f"routex-{name}-", suffix=".log")[1])
        self.process = None

    def spawn(self, *command):
        # `ip netns exec` execs the command: the Popen pid is the command's own, so signals
        # reach it directly (SIGTERM = gunicorn's graceful shutdown).
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                ["ip", "netns", "exec", self.namespace, str(self.project.venv / "bin" / command[0]), *command[1:]],
                cwd=self.project.path,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout=40):
        stop_process(self.process, timeout)


class Instance(InNamespace):
    def __init__(self, project, env, namespace, address, workers, threads, name):
        super().__init__(
            project,
            {**env, **gunicorn_env(f"{address}:{APP_PORT}", workers, threads), "PGAPPNAME": name},
            namespace,
            name,
        )
        self.address = address
        self.name = name

    def start(self, timeout=60):
        self.spawn("gunicorn", "-c", "gunicorn.conf.py")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise AssertionError(f"{self.name} exited:\n{self.log.read_text()[-4000:]}")
            with contextlib.suppress(OSError):
                wait_for_port(APP_PORT, timeout=0.5, host=self.address)
                return self
        raise AssertionError(f"{self.name} never listened:\n{self.log.read_text()[-4000:]}")

    def graceful_stop(self, timeout=40):
        """SIGTERM (gunicorn stops accepting, finishes in-flight requests); the exit status."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def server_errors(self):
        return sum(1 for line in self.log.read_text().splitlines() if line.startswith("pid=") and " status=5" in line)


class Beat(InNamespace):
    def start(self):
        folder = Path(tempfile.mkdtemp(prefix="routex-beat-"))
        return self.spawn(
            "celery", "-A", "config", "beat", "--loglevel", "INFO",
            "--schedule", str(folder / "celerybeat-schedule"), "--pidfile", "",
        )  # fmt: skip

    def send_minutes(self, task_name):
        """The minutes (schedule ticks) in which this beat sent ``task_name``."""
        minutes = set()
        for line in self.log.read_text().splitlines():
            if "Sending due task" in line and task_name in line:
                minutes.add(json.loads(line[line.index("{") :])["time"][:16])
        return minutes
