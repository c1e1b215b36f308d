"""A real Sentry ingestion endpoint on 127.0.0.1: it decodes the envelopes the SDK sends.

Point a project's SENTRY_DSN at ``receiver.dsn``; every envelope (events, transactions,
check-ins...) lands in ``receiver.items`` as ``(item_type, payload)``. Not a mock of the
SDK: the SDK runs unmodified and talks HTTP to this server.
"""

import contextlib
import gzip
import json
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PUBLIC_KEY = "0123456789abcdef0123456789abcdef"


def decompress(body, encoding):
    encoding = (encoding or "").lower()
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        import brotli  # only if the SDK found brotli installed

        return brotli.decompress(body)
    return body


def parse_envelope(data):
    """[(header, item_header, payload)] from the envelope wire format."""
    header_line, _, rest = data.partition(b"\n")
    header = json.loads(header_line or b"{}")
    items = []
    while rest.strip():
        item_line, _, rest = rest.partition(b"\n")
        item_header = json.loads(item_line)
        length = item_header.get("length")
        if length is None:
            payload, _, rest = rest.partition(b"\n")
        else:
            payload, rest = rest[:length], rest[length:]
            rest = rest.removeprefix(b"\n")
        if item_header.get("content_type", "application/json") == "application/json" or payload[:1] in b"{[":
            with contextlib.suppress(ValueError):
                payload = json.loads(payload)
        items.append((header, item_header, payload))
    return items


def summary(payload):
    if not isinstance(payload, dict):
        return None
    values = (payload.get("exception") or {}).get("values") or [{}]
    return payload.get("transaction") or payload.get("message") or values[-1].get("value")


class SentryReceiver:
    def __init__(self):
        self.items = []
        self.raw = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                data = decompress(body, self.headers.get("Content-Encoding"))
                with receiver.lock:
                    receiver.raw.append((self.path, dict(self.headers), data))
                    if self.path.endswith("/envelope/"):
                        for _, item_header, payload in parse_envelope(data):
                            receiver.items.append((item_header.get("type"), payload))
                    elif self.path.endswith("/store/"):
                        receiver.items.append(("event", json.loads(data)))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"id": "00000000000000000000000000000000"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def dsn(self):
        return f"http://{PUBLIC_KEY}@127.0.0.1:{self.port}/1"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def of_type(self, item_type):
        with self.lock:
            return [payload for kind, payload in self.items if kind == item_type]

    def wait_for(self, predicate, timeout=20):
        """The first payload for which predicate(item_type, payload) holds, or AssertionError."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for kind, payload in self.items:
                    if predicate(kind, payload):
                        return payload
            time.sleep(0.05)
        with self.lock:
            seen = [(kind, summary(p)) for kind, p in self.items]
        raise AssertionError(f"no matching Sentry item within {timeout}s; received {seen}")
