"""The request id, carried through every log line a request produces."""

import contextvars
import logging

request_id_var = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` so formatters can always use it."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        return True
