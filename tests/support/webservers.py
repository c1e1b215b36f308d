"""nginx and Apache, run from Debian's binaries against a generated site config.

The site configs in a generated project's deploy/ folder name production paths (TLS
certificates, /srv/<slug>/...). ``localize`` rewrites those to a temporary folder and a
self-signed certificate, then ``nginx -t`` / ``apache2ctl -t`` validate them for real, or
``NginxServer`` serves them on free ports.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

from .services import free_port, wait_for_port


def self_signed_certificate(folder):
    cert, key = Path(folder) / "cert.pem", Path(folder) / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def localize(site, folder, slug, static_root=None, media_root=None, ports=None, app_port=None):
    """The site config with certificates, data folders and ports moved into ``folder``."""
    cert, key = self_signed_certificate(folder)
    site = re.sub(r"/etc/letsencrypt/live/[^/\s]+/fullchain\.pem", str(cert), site)
    site = re.sub(r"/etc/letsencrypt/live/[^/\s]+/privkey\.pem", str(key), site)
    site = site.replace(f"/srv/{slug}/staticfiles", str(static_root or Path(folder) / "staticfiles"))
    site = site.replace(f"/srv/{slug}/media", str(media_root or Path(folder) / "media"))
    if ports:
        http, https = ports
        site = re.sub(r"listen \[::\]:\d+[^;]*;\n", "", site)
        site = re.sub(r"listen 80;", f"listen 127.0.0.1:{http};", site)
        site = re.sub(r"listen 443 ssl( http2)?;", f"listen 127.0.0.1:{https} ssl;", site)
    if app_port:
        site = site.replace("127.0.0.1:8000", f"127.0.0.1:{app_port}")
    return site


def nginx_conf(folder, site):
    folder = Path(folder)
    (folder / "site.conf").write_text(site)
    (folder / "nginx.conf").write_text(
        f"""
daemon off;
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
"""
    )
    return folder / "nginx.conf"


def nginx_binary():
    return shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_check(folder, site):
    conf = nginx_conf(folder, site)
    return subprocess.run([nginx_binary(), "-t", "-p", str(folder), "-c", str(conf)], capture_output=True, text=True)


class NginxServer:
    def __init__(self, folder, site):
        self.folder = Path(folder)
        self.conf = nginx_conf(folder, site)
        self.process = None

    def start(self, port):
        self.process = subprocess.Popen(
            [nginx_binary(), "-p", str(self.folder), "-c", str(self.conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        wait_for_port(port)
        return self

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(10)


APACHE_MODULES = ["mpm_event", "authz_core", "alias", "mime", "dir", "headers", "deflate", "filter",
                  "rewrite", "proxy", "proxy_http", "ssl", "socache_shmcb", "setenvif", "env", "reqtimeout"]  # fmt: skip


def apache_binary():
    return shutil.which("apache2ctl") or ("/usr/sbin/apache2ctl" if Path("/usr/sbin/apache2ctl").exists() else None)


def apache_check(folder, site):
    """``apache2ctl -t`` on a minimal server config (Debian layout) that includes the site."""
    folder = Path(folder)
    (folder / "site.conf").write_text(site)
    modules = "\n".join(f"LoadModule {name}_module /usr/lib/apache2/modules/mod_{name}.so" for name in APACHE_MODULES)
    (folder / "apache2.conf").write_text(
        f"""
ServerRoot {folder}
PidFile {folder}/apache2.pid
ErrorLog {folder}/error.log
Listen 127.0.0.1:{free_port()}
{modules}
TypesConfig /etc/mime.types
Include {folder}/site.conf
"""
    )
    (folder / "envvars").write_text(
        f"export APACHE_RUN_USER=www-data\nexport APACHE_RUN_GROUP=www-data\n"
        f"export APACHE_PID_FILE={folder}/apache2.pid\nexport APACHE_RUN_DIR={folder}\n"
        f"export APACHE_LOCK_DIR={folder}\nexport APACHE_LOG_DIR={folder}\n"
    )
    return subprocess.run(
        [apache_binary(), "-t"],
        env={"APACHE_CONFDIR": str(folder), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
        capture_output=True,
        text=True,
    )
