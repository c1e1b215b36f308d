"""The edge of a deployment, for real: gunicorn workers behind nginx terminating TLS.

``TlsProxy`` runs nginx on a loopback address with a throwaway certificate authority (so
clients can verify it) and proxies to an upstream port the way docs/DEPLOYMENT.md tells a
team to: X-Forwarded-For appended, X-Forwarded-Proto set, HTTP redirected to HTTPS,
``server_tokens off``. ``Gunicorn`` runs a generated project's WSGI app with several
workers. The production rehearsal and the edge-security tests both use them.
"""

import contextlib
import os
import shutil
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

from .services import free_port, wait_for_port

NGINX_CONF = """\
{user}
worker_processes 2;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    server_tokens off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    upstream app {{ server 127.0.0.1:{upstream}; }}
    server {{
        listen {address}:{http_port};
        server_name _;
        location / {{ return 301 https://$host$request_uri; }}
    }}
    server {{
        listen {address}:{https_port} ssl;
        server_name _;
        ssl_certificate {root}/server.pem;
        ssl_certificate_key {root}/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        {root_location}
        location / {{
            proxy_pass http://app;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_redirect off;
        }}
    }}
}}
"""


def away_from_a_window_edge(seconds, margin=30):
    """Fixed windows restart at multiples of their length: start a burst (which must take
    less than ``margin`` seconds) well inside one."""
    left = seconds - time.time() % seconds
    if left < margin:
        time.sleep(left + 1)


def tool_missing(*names):
    """The first of ``names`` not on PATH, or None."""
    return next((name for name in names if not shutil.which(name)), None)


def make_certificates(root, address):
    """A CA and a server certificate for ``address`` (an IP) and localhost, signed by it."""

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=root, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=RouteX test CA",
            "-keyout", "ca.key", "-out", "ca.pem",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")  # fmt: skip
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={address}",
            "-keyout", "server.key", "-out", "server.csr")  # fmt: skip
    (root / "san.ext").write_text(
        f"subjectAltName=IP:{address},DNS:localhost\nextendedKeyUsage=serverAuth\n"
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
    )
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", "2", "-extfile", "san.ext", "-out", "server.pem")  # fmt: skip
    return root / "ca.pem"


class TlsProxy:
    def __init__(self, upstream_port, address="127.0.0.1", http_port=None, https_port=None, home=None):
        """``home``: where ``/`` redirects (an API has no page there; scanners want one)."""
        self.upstream_port = upstream_port
        self.home = home
        self.address = address
        self.http_port = http_port or free_port()
        self.https_port = https_port or free_port()
        self.root = Path(tempfile.mkdtemp(prefix="routex-nginx-"))
        self.process = None
        self.ca_file = None

    def start(self):
        self.ca_file = make_certificates(self.root, self.address)
        conf = self.root / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                user="user root;" if os.geteuid() == 0 else "",
                root=self.root,
                upstream=self.upstream_port,
                address=self.address,
                http_port=self.http_port,
                https_port=self.https_port,
                root_location=f"location = / {{ return 302 {self.home}; }}" if self.home else "",
            )
        )
        self.process = subprocess.Popen(
            [shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(self.root), "-c", str(conf),
             "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        wait_for_port(self.https_port, host=self.address)
        return self

    def ssl_context(self):
        return ssl.create_default_context(cafile=str(self.ca_file))

    @property
    def url(self):
        return f"https://{self.address}:{self.https_port}"

    def stop(self):
        if self.process:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)


def gunicorn_env(bind, workers, threads=None):
    """gunicorn.conf.py's variables for a test server: its address, its workers (and threads,
    else the project's default), and an access log naming each request's worker pid and status."""
    env = {
        "GUNICORN_BIND": bind,
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_ACCESS_LOG": "-",
        "GUNICORN_ACCESS_LOG_FORMAT": "pid=%(p)s status=%(s)s %(r)s",
    }
    if threads is not None:
        env["GUNICORN_THREADS"] = str(threads)
    return env


class Gunicorn:
    """``gunicorn -c gunicorn.conf.py`` in a generated project, logging each request's worker pid.

    ``Gunicorn(project, env).start()`` waits until it listens (``with`` stops it too);
    ``launch()`` only starts the process, for a server expected to refuse to start.
    Its output goes to a file, not a pipe: a full pipe would block the server.
    """

    def __init__(self, project, env, workers=3, threads=None, port=None):
        """``port``: a given one (a probe that reads it from the environment), else a free one."""
        self.project = project
        self.port = port or free_port()
        self.env = {**env, **gunicorn_env(f"127.0.0.1:{self.port}", workers, threads)}
        self.log = Path(tempfile.mkstemp(prefix="routex-gunicorn-", suffix=".log")[1])
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def launch(self):
        from .project import clean_env

        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [str(self.project.venv / "bin" / "gunicorn"), "-c", "gunicorn.conf.py"],
                cwd=self.project.path,
                env=clean_env(**self.env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def start(self):
        self.launch()
        try:
            wait_for_port(self.port)
        except TimeoutError:
            self.stop()
            raise AssertionError(f"gunicorn did not start:\n{self.output()[-4000:]}") from None
        return self

    def output(self):
        return self.log.read_text()

    def worker_pids(self):
        """Pids of the workers that answered requests so far (from the access log)."""
        return {line.split()[0] for line in self.output().splitlines() if line.startswith("pid=")}

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
