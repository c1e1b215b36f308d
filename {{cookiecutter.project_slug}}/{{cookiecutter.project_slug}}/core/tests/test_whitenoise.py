"""WhiteNoise serves collected files compressed, with far-future caching for hashed names."""

import re
from pathlib import Path

import django.contrib.admin
import pytest
from django.core.management import call_command

ADMIN_STATIC = Path(django.contrib.admin.__file__).parent / "static" / "admin"
WHITENOISE = "whitenoise.middleware.WhiteNoiseMiddleware"
STORAGE = "{{ cookiecutter.project_slug }}.core.static_files.CompressedManifestStorage"
SECURITY_HEADERS = [
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Cross-Origin-Resource-Policy",
    "Content-Security-Policy",  # feature: csp
    "Permissions-Policy",  # feature: permissions_policy
]


@pytest.fixture
def collected(settings, tmp_path):
    """The admin's stylesheets collected as production does: hashed and compressed."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATICFILES_DIRS = [
        ("admin/css", ADMIN_STATIC / "css"),
        ("admin/img", ADMIN_STATIC / "img"),
    ]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": STORAGE}}
    settings.WHITENOISE_AUTOREFRESH = False
    settings.WHITENOISE_USE_FINDERS = False
    if WHITENOISE not in settings.MIDDLEWARE:  # where production settings put it
        sessions = settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")
        settings.MIDDLEWARE = [
            *settings.MIDDLEWARE[:sessions],
            WHITENOISE,
            *settings.MIDDLEWARE[sessions:],
        ]
    call_command("collectstatic", "--noinput", verbosity=0)
    css = settings.STATIC_ROOT / "admin" / "css"
    hashed = next(p.name for p in css.iterdir() if re.fullmatch(r"base\.[0-9a-f]{12}\.css", p.name))
    return f"/static/admin/css/{hashed}"


@pytest.mark.parametrize(("accept", "encoding"), [("br, gzip", "br"), ("gzip", "gzip")])
def test_hashed_css_is_served_compressed_and_cached_forever(client, collected, accept, encoding):
    response = client.get(collected, headers={"Accept-Encoding": accept})

    assert response.status_code == 200
    assert response["Content-Encoding"] == encoding
    assert "immutable" in response["Cache-Control"]
    assert "max-age=315360000" in response["Cache-Control"]
    assert "Accept-Encoding" in response["Vary"]


def test_unhashed_names_are_cached_briefly(client, collected, settings):
    response = client.get("/static/admin/css/base.css")

    assert response.status_code == 200
    assert response["Cache-Control"] == f"max-age={settings.WHITENOISE_MAX_AGE}, public"


def test_static_files_carry_cors_headers_for_a_cdn(client, collected):
    response = client.get(collected)

    assert response["Access-Control-Allow-Origin"] == "*"


def test_static_files_carry_the_security_headers_of_every_response(client, collected):
    static = client.get(collected)
    api = client.get("/api/health/live/")

    assert static.status_code == api.status_code == 200
    for header in SECURITY_HEADERS:
        assert static.get(header) == api.get(header), header
    assert static["X-Content-Type-Options"] == "nosniff"


def test_a_post_to_a_static_file_is_a_json_405(client, collected):
    response = client.post(collected)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_media_files_are_never_served_by_whitenoise(client, collected, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    (settings.MEDIA_ROOT / "upload.txt").write_text("private")

    response = client.get("/media/upload.txt")

    assert response.status_code == 404
