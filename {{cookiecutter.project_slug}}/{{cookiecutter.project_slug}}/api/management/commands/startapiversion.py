"""python manage.py startapiversion 2: scaffold API version v2 from the latest one."""

import re
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

API_DIR = Path(__file__).resolve().parents[2]
SETTINGS_FILE = settings.BASE_DIR / "config" / "settings" / "features" / "api_versions.py"
VERSIONS_LINE = re.compile(r"^API_VERSIONS = \[(?P<items>[^\]]*)\]$", re.MULTILINE)


class Command(BaseCommand):
    help = (
        "Create API version N as a copy of the latest version (serializers, views, URLs), "
        "and add it to API_VERSIONS. Then change what differs in the new package only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("version", help="the new version number, e.g. 2 (or v2)")
        parser.add_argument(
            "--from",
            dest="source",
            help="copy this version instead of the latest one, e.g. v1",
        )

    def handle(self, *args: Any, version: str, source: str | None = None, **options: Any) -> None:
        new = "v" + version.lower().removeprefix("v")
        if not re.fullmatch(r"v[1-9][0-9]*", new):
            raise CommandError(f"{version!r} is not a version number such as 2 or v2")
        known = list(settings.API_VERSIONS)
        if new in known or (API_DIR / new).exists():
            raise CommandError(f"API version {new} already exists ({API_DIR / new})")
        if int(new[1:]) <= max(int(v[1:]) for v in known):
            raise CommandError(f"{new} must be newer than every existing version ({known})")
        source = source or known[-1]
        if source not in known:
            raise CommandError(f"--from {source}: not one of API_VERSIONS {known}")

        text = SETTINGS_FILE.read_text(encoding="utf-8")
        line = VERSIONS_LINE.search(text)
        if line is None:
            raise CommandError(f"no 'API_VERSIONS = [...]' line in {SETTINGS_FILE}")

        shutil.copytree(
            API_DIR / source,
            API_DIR / new,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
        listed = ", ".join(f'"{v}"' for v in [*known, new])
        SETTINGS_FILE.write_text(
            text[: line.start()] + f"API_VERSIONS = [{listed}]" + text[line.end() :],
            encoding="utf-8",
        )

        relative = (API_DIR / new).relative_to(settings.BASE_DIR)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {relative}/ from {source} and added {new} to API_VERSIONS."
            )
        )
        self.stdout.write(
            "Next: change what differs in its serializers.py and views.py; models and services "
            f"stay shared. When {new} is released, deprecate {known[-1]} in API_DEPRECATIONS "
            "and publish its migration guide (docs/API_VERSIONING.md has a template)."
        )
