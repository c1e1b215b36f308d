"""Static files and error mail, measured: what compression saves, what serving costs,
and how many mails an error storm sends.

For a generated project (lean: no OpenAPI UI, no toolbar) it measures
  * collectstatic wall time: WhiteNoise (hashing + gzip + Brotli) vs nginx mode (hashing);
  * bytes of every collected CSS/JS file: raw, gzip and Brotli (WhiteNoise's copies);
  * sequential GETs of the hashed admin CSS: WhiteNoise in gunicorn vs nginx from disk;
  * an error storm: N failing requests (one kind, then many kinds) against a real SMTP
    server, mails delivered and the time per failing request with mail on.

Usage: .venv/bin/python benchmarks/static_and_mail.py [--requests 300] [--errors 500]
Needs Debian's nginx and openssl. Numbers on a shared machine are indicative only.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cookiecutter.main import cookiecutter

from tests.support.project import Project, production_env, shared_venv
from tests.support.services import RedisServer, free_port
from tests.support.smtp import SmtpServer
from tests.support.template import TEMPLATE_DIR
from tests.support.webservers import NginxServer, localize
from tests.test_email import BROKEN_URLS, ERRORS_SCRIPT, finish, make_errors
from tests.test_static_files import Gunicorn, get, hashed_admin_css

LEAN = {"use_openapi": False, "use_debug_toolbar": False}


def bake(folder, **answers):
    path = cookiecutter(str(TEMPLATE_DIR), no_input=True, output_dir=str(folder), extra_context={**LEAN, **answers})
    return Project(path, shared_venv())


def timed(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def fetch_many(url, count, **headers):
    _, seconds = timed(lambda: [get(url, **headers) for _ in range(count)])
    return count / seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--errors", type=int, default=500)
    args = parser.parse_args()
    redis = RedisServer().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            white = bake(tmp / "w", static_files="whitenoise")
            plain = bake(tmp / "n", static_files="nginx")
            roots = {"whitenoise": tmp / "static-w", "nginx": tmp / "static-n"}
            for name, project in (("whitenoise", white), ("nginx", plain)):
                env = production_env(DJANGO_STATIC_ROOT=str(roots[name]))
                _, seconds = timed(lambda p=project, e=env: p.manage("collectstatic", "--noinput", env=e))
                print(f"collectstatic ({name}): {seconds:.1f} s")

            raw = gz = br = 0
            for path in roots["whitenoise"].rglob("*"):
                if path.suffix in {".css", ".js"} and path.is_file():
                    raw += path.stat().st_size
                    gz += Path(f"{path}.gz").stat().st_size if Path(f"{path}.gz").exists() else path.stat().st_size
                    br += Path(f"{path}.br").stat().st_size if Path(f"{path}.br").exists() else path.stat().st_size
            print(f"CSS+JS bytes: raw {raw:,}  gzip {gz:,} ({gz / raw:.0%})  brotli {br:,} ({br / raw:.0%})")

            name = hashed_admin_css(roots["whitenoise"])
            env = production_env(DJANGO_STATIC_ROOT=str(roots["whitenoise"]), REDIS_URL=redis.url())
            with Gunicorn(white, env) as app:
                rate = fetch_many(
                    f"http://127.0.0.1:{app.port}/static/admin/css/{name}", args.requests,
                    **{"Accept-Encoding": "br", "X-Forwarded-Proto": "https"},
                )  # fmt: skip
                print(f"WhiteNoise in gunicorn (1 worker), hashed CSS as Brotli: {rate:.0f} requests/s")

            name = hashed_admin_css(roots["nginx"])
            http, https = free_port(), free_port()
            site = (plain.path / "deploy" / "nginx" / "site.conf").read_text()
            site = localize(site, tmp, plain.path.name, roots["nginx"], tmp / "media", (http, https), 1)
            nginx = NginxServer(tmp, site).start(http)
            try:
                rate = fetch_many(
                    f"https://127.0.0.1:{https}/static/admin/css/{name}", args.requests, **{"Accept-Encoding": "gzip"}
                )
                print(f"nginx from STATIC_ROOT, hashed CSS as gzip: {rate:.0f} requests/s")
            finally:
                nginx.stop()

            smtp = SmtpServer().start()
            try:
                (white.path / "broken_urls.py").write_text(BROKEN_URLS)
                (white.path / "make_errors.py").write_text(ERRORS_SCRIPT)
                env = production_env(EMAIL_URL=smtp.url, REDIS_URL=redis.url(5), DJANGO_ADMINS="ops@example.org")
                white.manage("migrate", "--noinput", env=env)
                for kinds in (1, 50):
                    smtp.clear()
                    redis_flush(redis, 5)
                    _, seconds = timed(lambda k=kinds: finish(make_errors(white, env, args.errors, k)))
                    delivered = len(smtp.wait_for(11, timeout=3))
                    print(
                        f"error storm: {args.errors} failing requests, {kinds} kind(s): {delivered} mail(s) "
                        f"delivered, {seconds / args.errors * 1000:.1f} ms per request (process start included)"
                    )
            finally:
                smtp.stop()
    finally:
        redis.stop()


def redis_flush(redis, db):
    import subprocess

    subprocess.run(["redis-cli", "-p", str(redis.port), "-n", str(db), "flushdb"], check=True, capture_output=True)


if __name__ == "__main__":
    main()
