"""Every use of django-csp's private (underscored) internals, for django-csp 4.0.

The version is pinned in requirements.txt. Before upgrading it, re-read these names in the
library's source (``csp/middleware.py``, ``csp/decorators.py``) and run
``security/tests/test_csp_compat.py``: it fails naming each private name that moved.
Nothing else in the project touches django-csp's underscored attributes.
"""

from csp.middleware import CheckableLazyObject, CSPMiddleware

# The attributes django-csp's decorators set on a response to change its policy.
PER_RESPONSE_CHANGES = (
    "_csp_config", "_csp_update", "_csp_replace", "_csp_exempt",
    "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro",
)  # fmt: skip
# Set on a request once its nonce has been generated.
REQUEST_NONCE = "_csp_nonce"


def policy_changed_per_response(response):
    """Whether a decorator (or the project's renderer) changed this response's policy."""
    return any(getattr(response, name, None) for name in PER_RESPONSE_CHANGES)


def nonce_was_used(request):
    return getattr(request, REQUEST_NONCE, None) is not None


def update_policy(response, directives):
    """Add ``directives`` to the response's policy and report-only policy, as @csp_update does."""
    response._csp_update = {**(getattr(response, "_csp_update", None) or {}), **directives}
    response._csp_update_ro = {**(getattr(response, "_csp_update_ro", None) or {}), **directives}


def refuse_nonce_after_header(middleware: CSPMiddleware, request):
    """As django-csp does: a nonce asked for after the header is written is an error."""
    request.csp_nonce = CheckableLazyObject(middleware._csp_nonce_post_response)
