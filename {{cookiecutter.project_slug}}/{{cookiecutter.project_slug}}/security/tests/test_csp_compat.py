"""django-csp's private names the project relies on (security/csp_compat.py) still exist.

A failure here after a django-csp upgrade names the private attribute that moved: re-read
it in the library's source and update security/csp_compat.py (and its docstring's version).
"""

from typing import Any

import pytest
from csp.decorators import csp, csp_exempt, csp_replace, csp_update
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from ..csp_compat import (
    PER_RESPONSE_CHANGES,
    nonce_was_used,
    policy_changed_per_response,
    refuse_nonce_after_header,
    update_policy,
)

RULES = {"img-src": ["data:"]}


def answered_by(decorator):
    return decorator(lambda request: HttpResponse())(RequestFactory().get("/"))


def test_the_decorators_still_mark_responses_with_the_attributes_the_project_reads():
    decorated = [
        answered_by(decorator(RULES, REPORT_ONLY=report_only))
        for decorator in (csp, csp_update, csp_replace)
        for report_only in (False, True)
    ] + [answered_by(csp_exempt(REPORT_ONLY=report_only)) for report_only in (False, True)]

    assert all(policy_changed_per_response(response) for response in decorated)
    set_by_decorators = {
        name for response in decorated for name in vars(response) if name.startswith("_csp")
    }
    assert set_by_decorators == set(PER_RESPONSE_CHANGES)


def test_a_response_without_a_decorator_keeps_the_fixed_policy():
    assert not policy_changed_per_response(HttpResponse())


def test_update_policy_sets_what_csp_update_sets():
    response = HttpResponse()
    update_policy(response, RULES)

    by_decorator = answered_by(csp_update(RULES))
    assert vars(response)["_csp_update"] == vars(by_decorator)["_csp_update"]
    assert policy_changed_per_response(response)


def test_the_middleware_still_keeps_the_nonce_it_generated_privately():
    request: Any = RequestFactory().get("/")  # django-csp adds csp_nonce
    middleware = CSPMiddleware(lambda request: HttpResponse())
    middleware.process_request(request)
    assert not nonce_was_used(request)

    str(request.csp_nonce)

    assert nonce_was_used(request)


def test_a_nonce_asked_for_after_the_header_is_written_is_an_error():
    request: Any = RequestFactory().get("/")  # django-csp adds csp_nonce
    refuse_nonce_after_header(CSPMiddleware(lambda request: HttpResponse()), request)

    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
