"""Record every unhandled exception of a request in the database, grouped by fingerprint.

Connected to Django's ``got_request_exception`` signal, which fires for exactly the errors
that end in a 500. One error seen 10,000 times is one row with ``count == 10000``: the
fingerprint is the one every error report shares (observability.fingerprint: the exception
class plus the code path). Recording must never change the response:
any failure here (the table is missing, say) is logged and swallowed. While the database
is unreachable nothing is written at all: the write would only wait on the same dead
database (a pool or connect timeout) before failing, holding the request meanwhile.
"""

import logging
import sys
import traceback

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ...core.client_ip import client_ip
from ...core.database_outage import database_known_down, is_database_unreachable
from ..fingerprint import error_fingerprint

logger = logging.getLogger(__name__)
MAX_TRACEBACK_CHARS = 20_000
MAX_MESSAGE_CHARS = 2_000


def occurrence(request, exc_type, exc_value, tb):
    """What the row shows about the latest occurrence."""
    user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    match = getattr(request, "resolver_match", None)
    return {
        "exception_class": f"{exc_type.__module__}.{exc_type.__qualname__}"[:255],
        "message": str(exc_value)[:MAX_MESSAGE_CHARS],
        "traceback": "".join(traceback.format_exception(exc_type, exc_value, tb))[
            -MAX_TRACEBACK_CHARS:
        ],
        "method": (request.method or "")[:16],
        "path": request.path,
        "view": ((match.view_name or match.route) if match else "")[:255],
        "user_id": str(user.pk) if user is not None else "",
        "username": user.get_username()[:255] if user is not None else "",
        "request_id": getattr(request, "id", "")[:128],
        "client_ip": client_ip(request) or None,
    }


def store(key, fields):
    from .models import LoggedError

    now = timezone.now()
    repeat = {**fields, "count": F("count") + 1, "last_seen": now, "resolved": False}
    # A savepoint when called inside a transaction, so a failure leaves it usable.
    with transaction.atomic():
        if LoggedError.objects.filter(fingerprint=key).update(**repeat, resolved_at=None):
            return
        try:
            with transaction.atomic():
                LoggedError.objects.create(fingerprint=key, last_seen=now, **fields)
        except IntegrityError:  # another process recorded it first
            LoggedError.objects.filter(fingerprint=key).update(**repeat, resolved_at=None)


def record_request_exception(sender, request=None, **kwargs):
    exc_type, exc_value, tb = sys.exc_info()
    if exc_type is None or request is None:
        return
    if is_database_unreachable(exc_value) or database_known_down():
        logger.warning("database unreachable: %s not recorded in the error log", exc_type.__name__)
        return
    try:
        store(
            error_fingerprint((exc_type, exc_value, tb)),
            occurrence(request, exc_type, exc_value, tb),
        )
    except Exception:
        logger.exception("could not record %s in the error log", exc_type.__name__)
