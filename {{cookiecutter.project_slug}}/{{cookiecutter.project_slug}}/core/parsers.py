"""JSON request bodies, refused when nested deeper than settings.API_MAX_JSON_DEPTH.

Python's JSON parser recurses once per level: a 2 KB body of 1,000 ``[`` is a
RecursionError, a 500, an error report and a mail for every anonymous request. The depth is
measured first, in one linear pass that skips strings, so such a body never reaches it.
"""

import io
import re
from itertools import accumulate

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# A string (an unterminated one runs to the end, so the scan stays linear), or a bracket.
TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\Z)|[][{}]', re.DOTALL)
STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def nesting_depth(text):
    """How deep arrays and objects nest in ``text``; brackets inside strings do not count."""
    steps = (STEP.get(token[0], 0) for token in TOKEN.findall(text))
    return max(accumulate(steps, initial=0))


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, after a depth check (DEFAULT_PARSER_CLASSES names it)."""

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read()
        try:
            # get_encoding is newer than djangorestframework-stubs 3.18.1.
            text = body.decode(parsers.get_encoding(parser_context or {}))  # type: ignore[attr-defined]
        except UnicodeDecodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        limit = settings.API_MAX_JSON_DEPTH
        if nesting_depth(text) > limit:
            raise ParseError(f"JSON nested deeper than {limit} levels.", code="too_deep")
        return super().parse(io.BytesIO(body), media_type, parser_context)
