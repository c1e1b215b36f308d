"""Content-Security-Policy (django-csp 4): a strict policy, enforced by default.

Nothing loads unless listed: scripts and styles only from our own origin (or the static
CDN) or with the per-request nonce. Roll out safely with CSP_REPORT_ONLY=true (the same
policy is sent as Content-Security-Policy-Report-Only and nothing is blocked) and
CSP_REPORT_URI pointing at a collector. Pages that need more (the browsable API, the API
docs UI) widen the policy for themselves only; see <project>/security/csp.py.
"""

from csp.constants import (
    NONCE,
    NONE,
    SELF,
    UNSAFE_INLINE,  # feature: openapi
)

from config.env import ENVIRONMENT, env

# A CDN in front of the static files (DJANGO_STATIC_HOST) is one more source of assets.
_static_host = env.str("DJANGO_STATIC_HOST", default="").rstrip("/")
_assets = [SELF, _static_host] if _static_host else [SELF]

_report_only = env.bool("CSP_REPORT_ONLY", default=False)
_report_uri = env.str("CSP_REPORT_URI", default="")

# Django's admin change list without actions has one fixed inline <style>; allowed by its
# hash (security/tests/test_csp.py fails if a Django upgrade changes it).
ADMIN_CHANGE_LIST_STYLE = "'sha256-blvLUW3UscWqsXGByNOqdBboM+ShWAuugp2mC/wbafU='"

_directives = {
    "default-src": [NONE],
    "script-src": [*_assets, NONCE],
    "style-src": [*_assets, NONCE, ADMIN_CHANGE_LIST_STYLE],
    "img-src": [*_assets, "data:"],
    "font-src": _assets,
    "connect-src": [SELF],
    "manifest-src": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
    "base-uri": [NONE],
    "object-src": [NONE],
    "upgrade-insecure-requests": ENVIRONMENT == "production",
}
if _report_uri:
    _directives["report-uri"] = [_report_uri]

# One of the two is None: the policy is either enforced or only reported.
CONTENT_SECURITY_POLICY: dict[str, dict[str, object]] | None
CONTENT_SECURITY_POLICY_REPORT_ONLY: dict[str, dict[str, object]] | None
if _report_only:
    CONTENT_SECURITY_POLICY = None
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _directives}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _directives}
    CONTENT_SECURITY_POLICY_REPORT_ONLY = None

# Directives replaced under a URL prefix, for pages whose markup is not ours.
CSP_PATH_REPLACE: dict[str, dict[str, list[str]]] = {}
# begin feature: openapi
# ReDoc styles its page from script (styled-components), searches in a blob: worker and
# shows its makers' logo from their CDN (an image only): that page alone allows these.
CSP_PATH_REPLACE["/api/redoc/"] = {
    "style-src": [*_assets, UNSAFE_INLINE],
    "worker-src": [SELF, "blob:"],
    "img-src": [*_assets, "data:", "https://cdn.redoc.ly"],
}
# end feature: openapi
