"""Request bodies as a real client sends them: JSON to the API, a form to the admin's pages."""

import json
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
