"""Content-Security-Policy: strict everywhere, widened only where a page needs it."""

import base64
import hashlib
import re
from pathlib import Path

import django
import pytest
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path


def directives(header):
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.fixture
def policy(client):
    return directives(client.get("/api/health/live/")["Content-Security-Policy"])


def test_the_policy_is_strict(policy):
    assert policy["default-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]


def test_a_json_answer_gets_the_policy_django_csp_builds_from_the_settings(client, settings):
    assert client.get("/api/health/live/")["Content-Security-Policy"] == build_policy()
    # Built once per process, yet a changed setting takes effect at once.
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"]}}
    assert client.get("/api/health/live/")["Content-Security-Policy"] == "default-src 'self'"


def test_a_page_that_uses_its_nonce_gets_it_in_its_policy(client):
    def page(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')

    class Urls:
        urlpatterns = [path("page/", page), path("plain/", lambda request: HttpResponse("{}"))]

    with override_settings(ROOT_URLCONF=Urls):
        first, second, plain = client.get("/page/"), client.get("/page/"), client.get("/plain/")
    nonces = [nonce_of(response) for response in (first, second)]
    assert nonces[0] != nonces[1]
    assert f'nonce="{nonces[0]}"' in first.content.decode()
    assert "nonce-" not in plain["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_admin_gets_the_strict_policy(client):
    response = client.get(f"/{settings.ADMIN_URL}login/")

    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert "style-src-attr" not in policy


def test_the_admin_change_list_inline_style_is_allowed_by_its_exact_hash():
    template = Path(django.__file__).parent / "contrib/admin/templates/admin/change_list.html"
    found = re.search(r"<style>(.*?)</style>", template.read_text(), re.DOTALL)
    assert found is not None, "the admin's change list has no inline style any more"
    css = found[1]
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()

    assert f"'sha256-{digest}'" in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]


POLICY_MODES = (
    "print(bool(s.CONTENT_SECURITY_POLICY), bool(s.CONTENT_SECURITY_POLICY_REPORT_ONLY)); "
    "p = s.CONTENT_SECURITY_POLICY or s.CONTENT_SECURITY_POLICY_REPORT_ONLY; "
    "print(p['DIRECTIVES'].get('report-uri'))"
)


def settings_in(django_process, **env):
    result = django_process.with_settings(POLICY_MODES, settings="test", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\n")


def test_report_only_mode_and_the_report_uri_are_switched_by_environment(django_process):
    assert settings_in(django_process)[:2] == ["True False", "None"]
    assert settings_in(
        django_process, CSP_REPORT_ONLY="true", CSP_REPORT_URI="https://csp.example.com/r"
    )[:2] == [
        "False True",
        "['https://csp.example.com/r']",
    ]


def nonce_of(response):
    match = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert match, response["Content-Security-Policy"]
    return match[1]
