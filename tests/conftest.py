import pytest

from .support.project import Project, shared_venv
from .support.sentry_receiver import SentryReceiver
from .support.services import PostgresServer, RedisServer
from .support.smtp import SmtpServer
from .support.template import TEMPLATE_DIR


@pytest.fixture(scope="session")
def generated_venv():
    """One virtual environment with every dependency a generated project can have."""
    return shared_venv()


@pytest.fixture
def bake(cookies, generated_venv):
    """bake(**answers) -> Project, failing the test if generation fails."""

    def _bake(**answers):
        result = cookies.bake(extra_context=answers, template=str(TEMPLATE_DIR))
        assert result.exit_code == 0, result.exception
        return Project(result.project_path, generated_venv)

    return _bake


@pytest.fixture(scope="session")
def postgres():
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def sentry_receiver():
    """A real HTTP endpoint acting as the host of SENTRY_DSN (see support/sentry_receiver.py)."""
    receiver = SentryReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 (aiosmtpd) keeping what it receives (support/smtp.py)."""
    server = SmtpServer().start()
    yield server
    server.stop()
