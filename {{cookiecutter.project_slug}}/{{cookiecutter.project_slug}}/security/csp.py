"""Content-Security-Policy: the strict policy from settings, widened only where a page needs it.

* CSP_PATH_REPLACE (settings) replaces directives under a URL prefix, for third-party UIs
  whose markup we do not control (the API docs UI).
* The browsable API marks its own responses: its templates use style="" attributes and an
  inline <style> of highlighting rules, allowed by hash rather than by 'unsafe-inline'.
"""

import base64
import hashlib

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from rest_framework import renderers


def style_hash(css):
    digest = hashlib.sha256(css.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        for prefix, directives in getattr(settings, "CSP_PATH_REPLACE", {}).items():
            if request.path_info.startswith(prefix):
                parts.replace = {**(parts.replace or {}), **directives}
        return parts


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    def get_context(self, data, accepted_media_type, renderer_context):
        context = super().get_context(data, accepted_media_type, renderer_context)
        response = renderer_context["response"]
        extra = {"style-src-attr": [UNSAFE_INLINE]}
        if context.get("code_style"):
            extra["style-src"] = [style_hash(context["code_style"])]
        # Read by django-csp's middleware, the same attribute its @csp_update decorator sets.
        response._csp_update = {**(getattr(response, "_csp_update", None) or {}), **extra}
        response._csp_update_ro = {**(getattr(response, "_csp_update_ro", None) or {}), **extra}
        return context
