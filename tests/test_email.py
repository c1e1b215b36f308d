"""Error e-mails delivered to a real SMTP server (aiosmtpd on 127.0.0.1).

A generated project, under production settings with EMAIL_URL pointing at the server:
an unhandled error in a view delivers one mail to ADMINS with the subject prefix and no
secrets; a burst of the same error, even from several processes sharing Redis, delivers
one; a storm of different errors delivers at most DJANGO_ERROR_EMAIL_LIMIT.
"""

import subprocess
import textwrap

import pytest

from .support.project import clean_env, production_env
from .support.smtp import SmtpServer

SMTP_LOGIN = ("mailer", "smtp-password-must-not-leak")
TOKEN = "api-token-must-not-leak"
ERRORS_SCRIPT = textwrap.dedent(
    """
    import sys

    import django
    from django.test import Client, override_settings

    django.setup()
    requests, kinds = int(sys.argv[1]), int(sys.argv[2])
    with override_settings(ROOT_URLCONF="broken_urls"):
        client = Client(raise_request_exception=False)
        client.cookies["sessionid"] = "session-must-not-leak"
        for number in range(requests):
            response = client.post(
                f"/broken/{number % kinds}/",
                {"username": "alice", "password": "form-password-must-not-leak"},
                secure=True,
                headers={"Host": "api.example.com", "Authorization": "Token TOKEN"},
            )
            assert response.status_code == 500, response.status_code
    """
).replace("TOKEN", TOKEN)
BROKEN_URLS = textwrap.dedent(
    """
    from django.urls import path


    def broken(request, kind):
        # Each kind is its own exception class: a different error for the rate limit.
        raise type(f"PaymentError{kind}", (RuntimeError,), {})("the card processor is down")


    urlpatterns = [path("broken/<int:kind>/", broken)]
    """
)


@pytest.fixture
def smtp():
    server = SmtpServer(login=SMTP_LOGIN).start()
    yield server
    server.stop()


@pytest.fixture
def project(bake, redis_server):
    project = bake(email_provider="smtp", use_openapi=False, use_debug_toolbar=False)
    (project.path / "broken_urls.py").write_text(BROKEN_URLS)
    (project.path / "make_errors.py").write_text(ERRORS_SCRIPT)
    project.manage("migrate", "--noinput", env=production_env())
    return project


def settings_env(smtp, redis_server, **extra):
    return production_env(
        EMAIL_URL=smtp.url,
        REDIS_URL=redis_server.url(db=3),
        DJANGO_ADMINS="Ops <ops@example.org>, Dev Team <dev@example.org>",
        DJANGO_SERVER_EMAIL="errors@example.org",
        DJANGO_EMAIL_SUBJECT_PREFIX="[RouteX prod] ",
        **extra,
    )


def make_errors(project, env, requests, kinds=1):
    return subprocess.Popen(
        [str(project.venv / "bin" / "python"), "make_errors.py", str(requests), str(kinds)],
        cwd=project.path,
        env=clean_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process):
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-4000:]


def flush_rate_limit(redis_server):
    subprocess.run(["redis-cli", "-p", str(redis_server.port), "-n", "3", "flushdb"], check=True, capture_output=True)


def test_an_error_delivers_one_mail_to_admins_without_secrets(project, smtp, redis_server):
    flush_rate_limit(redis_server)
    env = settings_env(smtp, redis_server)

    finish(make_errors(project, env, requests=1))

    messages = smtp.wait_for(1)
    assert len(messages) == 1
    sender, recipients, message = messages[0]
    assert sender == "errors@example.org"
    assert sorted(recipients) == ["dev@example.org", "ops@example.org"]
    assert message["Subject"].startswith("[RouteX prod] ERROR")
    assert "Internal Server Error: /broken/0/" in message["Subject"]
    body = message.get_content()
    assert "the card processor is down" in body
    assert "Request id:" in body
    everything = str(message)
    for secret in [
        SMTP_LOGIN[1],
        TOKEN,
        env["DJANGO_SECRET_KEY"],
        "form-password-must-not-leak",
        "session-must-not-leak",
    ]:
        assert secret not in everything


def test_a_burst_of_the_same_error_from_several_processes_delivers_one_mail(project, smtp, redis_server):
    flush_rate_limit(redis_server)
    env = settings_env(smtp, redis_server)

    workers = [make_errors(project, env, requests=40) for _ in range(3)]
    for worker in workers:
        finish(worker)

    assert len(smtp.wait_for(2, timeout=3)) == 1


def test_a_storm_of_different_errors_delivers_a_bounded_number(project, smtp, redis_server):
    flush_rate_limit(redis_server)
    env = settings_env(smtp, redis_server, DJANGO_ERROR_EMAIL_LIMIT="4")

    finish(make_errors(project, env, requests=60, kinds=20))

    assert len(smtp.wait_for(5, timeout=3)) == 4
