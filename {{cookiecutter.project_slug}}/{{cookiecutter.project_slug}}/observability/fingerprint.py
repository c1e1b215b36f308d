"""What makes two errors "the same", one rule for every error report.

Every channel that reports errors groups or rate-limits them by this fingerprint, so
they all agree about which errors are repeats.
"""

import hashlib
import traceback


def error_fingerprint(exc_info=None, *, where="", message=""):
    """The exception's class and the code path that raised it, else where and what was logged.

    The code path is the module and function of each frame: not line numbers or the
    message, which often hold ids, so an edit elsewhere in a file keeps the grouping.
    Every way of meeting a database outage (a refused connection, a broken pooled one, a
    released pool wait) is one error: the database is down.
    """
    # Imported here: this module is loaded while logging is configured, before apps are.
    from ..core.database_outage import is_database_unreachable

    exc_type, exc_value, tb = exc_info or (None, None, None)
    if exc_type is None:
        parts = [where, message]
    elif is_database_unreachable(exc_value):
        parts = ["database-unreachable"]
    else:
        parts = [f"{exc_type.__module__}.{exc_type.__qualname__}"]
        for frame, _lineno in traceback.walk_tb(tb):
            parts.append(f"{frame.f_globals.get('__name__', '?')}:{frame.f_code.co_name}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def record_fingerprint(record):
    """The fingerprint of the error a log record reports."""
    return error_fingerprint(
        record.exc_info, where=f"{record.pathname}:{record.lineno}", message=str(record.msg)
    )
