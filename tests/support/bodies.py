"""Request bodies as a real client sends them (JSON to the API, a form to the admin's pages),
and the answers they get."""

import json
import time
from urllib.parse import urlencode

JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def encoded(path, data):
    """(body, headers) for ``data`` posted to ``path``: the API parses JSON bodies only."""
    if data is None:
        return None, {}
    if path.startswith("/api/"):
        return json.dumps(data), JSON
    return urlencode(data), FORM


def exchange(connection, method, path, data=None, headers=None):
    """One request on ``connection`` (closed afterwards): (status, lower-case headers, body)."""
    body, content_type = encoded(path, data)
    try:
        connection.request(method, path, body=body, headers={**content_type, **(headers or {})})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


class Answer:
    """One answer: status, headers (lower-case names), body bytes, and how long it took."""

    def __init__(self, status, headers, body, seconds):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    @classmethod
    def read(cls, response, started):
        """What an http.client ``response`` carries, timed from ``started`` (time.monotonic())."""
        headers = {k.lower(): v for k, v in response.getheaders()}
        return cls(response.status, headers, response.read(), time.monotonic() - started)

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} in {self.seconds:.2f}s {self.body[:300]!r}>"
