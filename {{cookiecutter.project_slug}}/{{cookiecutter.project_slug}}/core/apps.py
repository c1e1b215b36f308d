from importlib import import_module

from django.apps import AppConfig, apps
from django.utils.module_loading import module_has_submodule

PROJECT_PACKAGE = "{{ cookiecutter.project_slug }}"


def import_project_checks():
    """Import the checks.py of every project app: its decorators register its checks.

    One convention for every start-up rule (see core/checks.py); an app without checks
    simply has no checks.py.
    """
    for app_config in apps.get_app_configs():
        if app_config.name.startswith(f"{PROJECT_PACKAGE}.") and module_has_submodule(
            app_config.module, "checks"
        ):
            import_module(f"{app_config.name}.checks")


class CoreConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.core"
    verbose_name = "Core"

    def ready(self):
        from django.core.signals import got_request_exception

        from .database_outage import note_request_exception

        import_project_checks()
        got_request_exception.connect(note_request_exception, dispatch_uid="core.database_outage")
        # begin feature: psycopg_pool
        from django.db.backends.signals import connection_created

        from .database_pool import make_outage_aware_on_connect

        # On the first connection, not here: the pool is made from the settings of that
        # moment (the test runner renames the database before connecting).
        connection_created.connect(make_outage_aware_on_connect, dispatch_uid="core.database_pool")
        # end feature: psycopg_pool
