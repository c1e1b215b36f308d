"""Static files for real: WhiteNoise behind gunicorn, nginx and Apache site configs.

After ``collectstatic`` under production settings, a hashed admin stylesheet comes back
Brotli- or gzip-compressed with immutable caching (from WhiteNoise in gunicorn, or from
nginx serving STATIC_ROOT); the site configs pass ``nginx -t`` and ``apache2ctl -t``; with
DJANGO_STATIC_REQUIRE_MANIFEST on, a server started before ``collectstatic`` refuses to start,
saying so.
"""

import re
import ssl
import urllib.request

import pytest

from .support.edge import Gunicorn
from .support.project import production_env
from .support.services import free_port
from .support.tools import unavailable
from .support.webservers import NginxServer, apache_binary, apache_check, localize, nginx_check

# The nginx test serves TLS with a throwaway self-signed certificate.
UNVERIFIED = ssl._create_unverified_context()
# Fewer apps with static files: collectstatic stays quick (the OpenAPI UI bundles are big).
LEAN = {"use_openapi": False, "use_debug_toolbar": False}


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # report a redirect as it is


def get(url, **headers):
    """(status, headers, body) of a GET, redirects not followed."""
    request = urllib.request.Request(url, headers={"Host": "api.example.com", **headers})
    try:
        opener = urllib.request.build_opener(NoRedirects, urllib.request.HTTPSHandler(context=UNVERIFIED))
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def collectstatic(project, static_root, **env):
    env = production_env(DJANGO_STATIC_ROOT=str(static_root), **env)
    return project.manage("collectstatic", "--noinput", env=env, check=False)


def hashed_admin_css(static_root):
    css = static_root / "admin" / "css"
    return next(p.name for p in css.iterdir() if re.fullmatch(r"base\.[0-9a-f]{12}\.css", p.name))


@pytest.fixture
def whitenoise_site(bake, tmp_path, redis_server):
    project = bake(static_files="whitenoise", **LEAN)
    static_root = tmp_path / "static"
    result = collectstatic(project, static_root)
    assert result.returncode == 0, result.stderr[-3000:]
    env = production_env(DJANGO_STATIC_ROOT=str(static_root), REDIS_URL=redis_server.url())
    with Gunicorn(project, env, workers=1) as server:
        yield f"http://127.0.0.1:{server.port}", static_root


@pytest.mark.parametrize(("accept", "encoding", "suffix"), [("br, gzip", "br", ".br"), ("gzip", "gzip", ".gz")])
def test_whitenoise_serves_hashed_admin_css_compressed_and_immutable(whitenoise_site, accept, encoding, suffix):
    base, static_root = whitenoise_site
    name = hashed_admin_css(static_root)

    status, headers, body = get(
        f"{base}/static/admin/css/{name}", **{"Accept-Encoding": accept, "X-Forwarded-Proto": "https"}
    )

    assert status == 200
    assert headers["Content-Encoding"] == encoding
    assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert "Accept-Encoding" in headers["Vary"]
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert body == (static_root / "admin" / "css" / (name + suffix)).read_bytes()


def test_whitenoise_caches_unhashed_names_briefly(whitenoise_site):
    base, _ = whitenoise_site

    status, headers, _ = get(f"{base}/static/admin/css/base.css", **{"X-Forwarded-Proto": "https"})

    assert status == 200
    assert headers["Cache-Control"] == "max-age=300, public"


def test_a_server_started_before_collectstatic_refuses_to_start_when_required(bake, tmp_path):
    project = bake(static_files="whitenoise", **LEAN)
    env = production_env(DJANGO_STATIC_ROOT=str(tmp_path / "never-collected"), DJANGO_STATIC_REQUIRE_MANIFEST="true")

    server = Gunicorn(project, env, workers=1).launch()
    try:
        server.process.wait(60)
    finally:
        if server.process.poll() is None:
            server.process.kill()
    stderr = server.output()

    assert server.process.returncode != 0
    assert "collectstatic" in stderr


def test_collectstatic_fails_clearly_on_a_missing_file(bake, tmp_path):
    project = bake(static_files="whitenoise", **LEAN)
    assets = project.path / "assets"
    assets.mkdir()
    (assets / "site.css").write_text("body { background: url('img/missing-logo.png'); }\n")
    code = (
        "import django, sys; django.setup(); from django.conf import settings; "
        "from django.core.management import call_command; "
        f"settings.STATICFILES_DIRS = [{str(assets)!r}]; "
        "call_command('collectstatic', '--noinput', verbosity=0)"
    )

    result = project.run("python", "-c", code, env=production_env(DJANGO_STATIC_ROOT=str(tmp_path / "s")), check=False)

    assert result.returncode != 0
    assert "img/missing-logo.png" in result.stderr
    assert "site.css" in result.stderr


@pytest.mark.parametrize("mode", ["whitenoise", "nginx"])
def test_the_nginx_site_config_is_valid(bake, tmp_path, mode):
    project = bake(static_files=mode)
    site = (project.path / "deploy" / "nginx" / "site.conf").read_text()

    result = nginx_check(tmp_path, localize(site, tmp_path, project.path.name))

    assert result.returncode == 0, result.stderr
    assert ("location /static/" in site) == (mode == "nginx")


@pytest.mark.parametrize("mode", ["whitenoise", "nginx"])
def test_the_apache_example_is_valid(bake, tmp_path, mode):
    if apache_binary() is None:
        unavailable("Debian's apache2 is not installed (apt-get install apache2)")
    project = bake(static_files=mode)
    site = (project.path / "deploy" / "apache" / "site.conf").read_text()

    result = apache_check(tmp_path, localize(site, tmp_path, project.path.name))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Syntax OK" in result.stdout + result.stderr
    assert ("Alias /static/" in site) == (mode == "nginx")


def test_nginx_serves_collected_files_and_proxies_the_app(bake, tmp_path, redis_server):
    project = bake(static_files="nginx", **LEAN)
    static_root, media_root = tmp_path / "static", tmp_path / "media"
    assert collectstatic(project, static_root).returncode == 0
    media_root.mkdir()
    (media_root / "upload.txt").write_text("an upload")
    http, https = free_port(), free_port()
    env = production_env(DJANGO_STATIC_ROOT=str(static_root), REDIS_URL=redis_server.url())
    with Gunicorn(project, env, workers=1) as app:
        site = localize(
            site_text(project), tmp_path, project.path.name, static_root, media_root, (http, https), app.port
        )
        nginx = NginxServer(tmp_path, site).start(http)
        try:
            name = hashed_admin_css(static_root)
            css = get(f"https://127.0.0.1:{https}/static/admin/css/{name}", **{"Accept-Encoding": "gzip"})
            plain = get(f"https://127.0.0.1:{https}/static/admin/css/base.css")
            media = get(f"https://127.0.0.1:{https}/media/upload.txt")
            app_page = get(f"https://127.0.0.1:{https}/api/health/live/")
            health = get(f"http://127.0.0.1:{http}/api/health/live/")
            redirect = get(f"http://127.0.0.1:{http}/api/v1/")
        finally:
            nginx.stop()

    assert css[0] == 200
    assert css[1]["Content-Encoding"] == "gzip"
    assert css[1]["Cache-Control"] == "public, max-age=31536000, immutable"
    assert plain[1]["Cache-Control"] == "public, max-age=300"
    assert media[:1] == (200,)
    assert media[2] == b"an upload"
    assert app_page[0] == 200
    assert app_page[1]["X-Request-ID"]
    assert health[0] == 200
    assert health[1]["X-Request-ID"]
    assert redirect[0] == 301


def site_text(project):
    return (project.path / "deploy" / "nginx" / "site.conf").read_text()


# What the app sends on every response (docs/SECURITY.md); static files must carry the same.
SECURITY_HEADERS = [
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Cross-Origin-Resource-Policy",
    "Content-Security-Policy",
    "Permissions-Policy",
]


def security_headers(headers):
    """The security headers present, a CSP as its set of directives (their order varies)."""
    found = {}
    for name in SECURITY_HEADERS:
        value = headers.get(name)
        if value is not None and name == "Content-Security-Policy":
            value = frozenset(part.strip() for part in value.split(";") if part.strip())
        if value is not None:
            found[name] = value
    return found


@pytest.mark.parametrize(
    "answers",
    [{}, {"use_csp": False, "use_permissions_policy": False}],
    ids=["all-headers", "without-csp-and-permissions-policy"],
)
def test_nginx_static_files_carry_the_apps_security_headers(bake, tmp_path, redis_server, answers):
    project = bake(static_files="nginx", **LEAN, **answers)
    static_root = tmp_path / "static"
    assert collectstatic(project, static_root).returncode == 0
    http, https = free_port(), free_port()
    env = production_env(DJANGO_STATIC_ROOT=str(static_root), REDIS_URL=redis_server.url())
    with Gunicorn(project, env, workers=1) as app:
        site = localize(site_text(project), tmp_path, project.path.name, static_root, None, (http, https), app.port)
        nginx = NginxServer(tmp_path, site).start(http)
        try:
            base = f"https://127.0.0.1:{https}"
            api = get(f"{base}/api/health/live/")
            hashed = get(f"{base}/static/admin/css/{hashed_admin_css(static_root)}")
            plain = get(f"{base}/static/admin/css/base.css")
            missing = get(f"{base}/static/no-such-file.css")
        finally:
            nginx.stop()

    expected = security_headers(api[1])
    assert set(expected) == {
        name
        for name in SECURITY_HEADERS
        if (name != "Content-Security-Policy" or "use_csp" not in answers)
        and (name != "Permissions-Policy" or "use_permissions_policy" not in answers)
    }
    assert (hashed[0], plain[0], missing[0]) == (200, 200, 404)
    for response in (hashed, plain, missing):
        assert security_headers(response[1]) == expected


def test_the_apache_static_block_sends_the_same_headers_as_nginx(bake):
    project = bake(static_files="nginx")
    nginx = dict(re.findall(r'add_header ([\w-]+) "([^"]*)" always;', site_text(project)))
    apache_site = (project.path / "deploy" / "apache" / "site.conf").read_text()
    apache = dict(re.findall(r'Header always set ([\w-]+) "([^"]*)"', apache_site))

    assert set(nginx) == set(SECURITY_HEADERS)
    assert apache == nginx
