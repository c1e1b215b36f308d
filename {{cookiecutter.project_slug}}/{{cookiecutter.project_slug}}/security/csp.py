"""Content-Security-Policy: the strict policy from settings, widened only where a page needs it.

* CSP_PATH_REPLACE (settings) replaces directives under a URL prefix, for third-party UIs
  whose markup we do not control (the API docs UI).
* The browsable API marks its own responses: its templates use style="" attributes and an
  inline <style> of highlighting rules, allowed by hash rather than by 'unsafe-inline'.
"""

import base64
import hashlib
import http.client

from csp.constants import HEADER, HEADER_REPORT_ONLY, UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from rest_framework import renderers

from .csp_compat import (
    nonce_was_used,
    policy_changed_per_response,
    refuse_nonce_after_header,
    update_policy,
)


def style_hash(css):
    digest = hashlib.sha256(css.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


DEBUG_PAGES = (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND)
# {path prefixes that replace directives: (policy, report-only policy)}, built once.
fixed_policies: dict[tuple[str, ...], tuple[str, str]] = {}


@receiver(setting_changed)
def forget_fixed_policies(setting, **kwargs):
    if setting.startswith(("CONTENT_SECURITY_POLICY", "CSP_")):
        fixed_policies.clear()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware; the policy of a response without a nonce is built once.

    A JSON answer renders no template, so no nonce is generated and its policy is the same
    for every request under the same path prefix: built per process, not per response.
    A page that used its nonce or changed its policy goes through django-csp unchanged.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        replaced = self.replaced_directives(request.path_info)
        if replaced:
            parts.replace = {**(parts.replace or {}), **replaced}
        return parts

    @staticmethod
    def replaced_directives(path):
        replaced = {}
        for prefix, directives in getattr(settings, "CSP_PATH_REPLACE", {}).items():
            if path.startswith(prefix):
                replaced.update(directives)
        return replaced

    def process_response(self, request, response):
        if (
            nonce_was_used(request)
            # django-csp's decorators or the browsable API renderer below changed it.
            or policy_changed_per_response(response)
            or self.excluded_prefixes()
        ):
            return super().process_response(request, response)
        if response.status_code in DEBUG_PAGES and settings.DEBUG:
            return response
        prefixes = tuple(
            p for p in getattr(settings, "CSP_PATH_REPLACE", {}) if request.path_info.startswith(p)
        )
        if prefixes not in fixed_policies:
            replaced = self.replaced_directives(request.path_info) or None
            fixed_policies[prefixes] = (
                build_policy(replace=replaced),
                build_policy(replace=replaced, report_only=True),
            )
        policy, report_only_policy = fixed_policies[prefixes]
        if policy and HEADER not in response:
            response[HEADER] = policy
        if report_only_policy and HEADER_REPORT_ONLY not in response:
            response[HEADER_REPORT_ONLY] = report_only_policy
        refuse_nonce_after_header(self, request)
        return response

    @staticmethod
    def excluded_prefixes():
        return any(
            (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES")
            for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
        )


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    def get_context(self, data, accepted_media_type, renderer_context):
        context = super().get_context(data, accepted_media_type, renderer_context)
        response = renderer_context["response"]
        extra = {"style-src-attr": [UNSAFE_INLINE]}
        if context.get("code_style"):
            extra["style-src"] = [style_hash(context["code_style"])]
        update_policy(response, extra)
        return context
