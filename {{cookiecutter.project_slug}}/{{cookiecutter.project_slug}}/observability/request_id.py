"""The request id, carried through every log line a request produces."""

import contextvars
import logging

# Outside any request (a management command, beat, a task no request queued).
NO_REQUEST = "-"
request_id_var = contextvars.ContextVar("request_id", default=NO_REQUEST)


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` so formatters can always use it."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        return True
