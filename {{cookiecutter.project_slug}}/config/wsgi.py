"""WSGI entry point: ``gunicorn config.wsgi:application``. Production settings by default.

The start-up checks run before the first request: an Error (a bad setting, collectstatic
not run when it is required) stops the server naming the problem, as manage.py check does.
"""

import os
from importlib import import_module

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()
import_module("{{ cookiecutter.project_slug }}.core.checks").check_before_serving()
