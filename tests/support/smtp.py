"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it receives."""

import asyncio
import email
import email.policy
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from .services import free_port


class _Inbox:
    def __init__(self, delay=0):
        self.messages = []
        self.lock = threading.Lock()
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        await asyncio.sleep(self.delay)  # a slow mail provider, when asked for one
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SmtpServer:
    """Accepts any mail; with ``login=(user, password)`` it requires exactly that login.

    ``delay``: seconds each message takes to be accepted (a slow provider).
    """

    def __init__(self, login=None, delay=0):
        self.port = free_port()
        self.inbox = _Inbox(delay)
        self.login = login
        options = {}
        if login:
            options = {"authenticator": self._authenticate, "auth_require_tls": False, "auth_required": True}
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **options)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = self.login == (auth_data.login.decode(), auth_data.password.decode())
        return AuthResult(success=ok)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    @property
    def url(self):
        credentials = f"{self.login[0]}:{self.login[1]}@" if self.login else ""
        return f"smtp://{credentials}127.0.0.1:{self.port}"

    @property
    def messages(self):
        with self.inbox.lock:
            return list(self.inbox.messages)

    def clear(self):
        with self.inbox.lock:
            self.inbox.messages.clear()

    def wait_for(self, count, timeout=10):
        """The messages once at least ``count`` arrived (or the deadline passed)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages
