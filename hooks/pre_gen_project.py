"""Reject bad answers before anything is generated.

Each check prints one line naming the prompt and what it expects, then exits non-zero;
cookiecutter then removes the half-made project folder. Only the standard library is
used, so generation needs nothing beyond cookiecutter and Python, and no network.
"""

import json
import keyword
import re
import sys
import zoneinfo

# Rendered by cookiecutter; the raw-string literal keeps this file valid Python before.
ANSWERS_JSON = r"""{{ cookiecutter | jsonify }}"""

# Top-level names the generated project already uses or imports: a package with one of
# these names would shadow it. The standard library is added below.
SHADOWED_NAMES = {
    "anymail", "axes", "backups", "celery", "config", "corsheaders", "csp", "dbbackup",
    "debug_toolbar", "deploy", "django", "django_prometheus", "docs", "drf_spectacular",
    "drf_spectacular_sidecar", "environ", "gunicorn", "kombu", "manage", "permissions_policy",
    "prometheus_client", "psycopg", "psycopg_pool", "pytest", "pythonjsonlogger", "redis",
    "rest_framework", "scripts", "sentry_sdk", "split_settings", "storages", "test",
    "tests", "whitenoise",
}  # fmt: skip

SLUG_RE = re.compile(r"^[a-z][a-z0-9_]*$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")  # fmt: skip
HOST_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
RATE_RE = re.compile(r"^[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)$")


def check_text(value):
    # These answers are written into Python, TOML and YAML string literals.
    if not isinstance(value, str) or any(c in value for c in '"\\') or not value.isprintable():
        return "text without double quotes, backslashes or control characters"
    return None


def check_name(value):
    if not isinstance(value, str) or not value.strip():
        return "a non-empty display name"
    return check_text(value)


def check_slug(value):
    if not SLUG_RE.match(value):
        return "a lowercase Python identifier (letters, digits, underscores; starts with a letter)"
    if keyword.iskeyword(value) or value in SHADOWED_NAMES or value in sys.stdlib_module_names:
        return f"a name that does not shadow the module {value!r} the project imports"
    return None


def check_email(value):
    if not EMAIL_RE.match(value):
        return "an e-mail address such as team@example.com"
    return None


def check_hostname(value):
    labels = value.split(".")
    if len(value) > 253 or not all(HOST_LABEL_RE.match(label) for label in labels):
        return "a lowercase hostname such as api.example.com (no scheme, port or path)"
    if labels[-1].isdigit():
        return "a hostname, not an IP address"
    return None


def check_timezone(value):
    try:
        zoneinfo.ZoneInfo(value)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return "an IANA time zone name such as UTC or Europe/Paris"
    return None


def check_rate(value):
    if not RATE_RE.match(value):
        return "a DRF rate like 100/hour or 5/minute (N/s, N/m, N/h or N/d)"
    return None


def check_bool(value):
    if not isinstance(value, bool):
        return "true or false"
    return None


CHECKS = {
    "project_name": check_name,
    "description": check_text,
    "author_name": check_text,
    "project_slug": check_slug,
    "author_email": check_email,
    "domain_name": check_hostname,
    "timezone": check_timezone,
}


def problems(answers):
    """Yield (prompt, expectation, value) for every bad answer."""
    for prompt, value in answers.items():
        if prompt.startswith("_"):
            continue
        check = CHECKS.get(prompt)
        if check is None and prompt.endswith("_throttle_rate"):
            check = check_rate
        if check is None and prompt.startswith("use_"):
            check = check_bool
        expected = check(value) if check else None
        if expected:
            yield prompt, expected, value


def main():
    for prompt, expected, value in problems(json.loads(ANSWERS_JSON)):
        sys.stderr.write(f"ERROR: {prompt}: got {value!r}, expected {expected}.\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
