"""Static files: hashed names, a CDN host from the environment, clear failures."""

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError

from ..checks import check_before_serving
from ..static_files import ManifestStorage

MANIFEST_STORAGE = "{{ cookiecutter.project_slug }}.core.static_files.ManifestStorage"


def test_production_gives_static_files_hashed_names(django_process):
    found = django_process.setting_values("STORAGES", "STATIC_URL")

    assert "Manifest" in found["STORAGES"]["staticfiles"]["BACKEND"]
    assert found["STATIC_URL"] == "/static/"


def test_a_cdn_host_from_the_environment_fronts_the_static_files(django_process):
    found = django_process.setting_values(
        "STATIC_URL", DJANGO_STATIC_HOST="https://cdn.example.net/"
    )

    assert found["STATIC_URL"] == "https://cdn.example.net/static/"


def test_a_malformed_cdn_host_fails_at_start_up_naming_it(django_process):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_STATIC_HOST"):
        django_process.setting_values("STATIC_URL", DJANGO_STATIC_HOST="cdn.example.net")


def test_media_files_use_local_storage_by_default(django_process):
    found = django_process.setting_values("STORAGES")

    assert found["STORAGES"]["default"]["BACKEND"].endswith("FileSystemStorage")


@pytest.fixture
def source(tmp_path):
    folder = tmp_path / "source"
    (folder / "css").mkdir(parents=True)
    (folder / "img").mkdir()
    (folder / "img" / "logo.png").write_bytes(b"\x89PNG fake")
    (folder / "css" / "site.css").write_text("body { background: url('../img/logo.png'); }\n")
    return folder


def collect(settings, tmp_path, source, backend):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": backend}}
    call_command("collectstatic", "--noinput", verbosity=0)
    return settings.STATIC_ROOT


def test_collectstatic_fails_naming_a_file_a_stylesheet_refers_to_but_is_missing(
    settings, tmp_path, source
):
    (source / "img" / "logo.png").unlink()

    with pytest.raises((ValueError, CommandError), match=r"img/logo\.png"):
        collect(settings, tmp_path, source, MANIFEST_STORAGE)


def test_a_name_missing_from_the_manifest_is_logged_not_a_server_error(
    settings, tmp_path, source, caplog
):
    root = collect(settings, tmp_path, source, MANIFEST_STORAGE)
    storage = ManifestStorage(location=root, base_url="/static/")

    hashed = storage.url("css/site.css")
    with caplog.at_level(logging.ERROR):
        missing = storage.url("css/missing.css")

    assert hashed.startswith("/static/css/site.")
    assert hashed != "/static/css/site.css"
    assert missing == "/static/css/missing.css"
    assert "css/missing.css" in caplog.text


def test_a_server_started_before_collectstatic_says_so(settings, tmp_path, caplog):
    settings.ENVIRONMENT = "production"
    settings.STATIC_ROOT = tmp_path / "never-collected"
    settings.STATIC_REQUIRE_MANIFEST = False

    with caplog.at_level(logging.ERROR):
        check_before_serving()

    assert "collectstatic" in caplog.text
    assert "core.W002" in caplog.text


def test_a_server_can_be_made_to_refuse_to_start_before_collectstatic(settings, tmp_path):
    settings.ENVIRONMENT = "production"
    settings.STATIC_ROOT = tmp_path / "never-collected"
    settings.STATIC_REQUIRE_MANIFEST = True

    with pytest.raises(SystemCheckError, match=r"core\.E001.*collectstatic"):
        check_before_serving()


def test_the_start_up_check_passes_once_collectstatic_ran(settings, tmp_path, caplog):
    settings.ENVIRONMENT = "production"
    settings.STATIC_ROOT = tmp_path
    settings.STATIC_REQUIRE_MANIFEST = True
    (tmp_path / "staticfiles.json").write_text("{}")

    with caplog.at_level(logging.ERROR):
        check_before_serving()

    assert "collectstatic" not in caplog.text


def test_a_missing_manifest_never_stops_migrate_or_manage_py_check(settings, tmp_path):
    # Deployments run migrate (and check --deploy) before collectstatic.
    settings.ENVIRONMENT = "production"
    settings.STATIC_ROOT = tmp_path / "never-collected"
    settings.STATIC_REQUIRE_MANIFEST = True

    call_command("check")
