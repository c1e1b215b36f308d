from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.core"
    verbose_name = "Core"

    def ready(self):
        from django.core import checks
        from django.core.signals import got_request_exception
        from django.db.backends.signals import connection_created

        from ..observability.queries import install_query_monitor
        from .checks import check_trusted_proxies_are_not_everyone
        from .database_outage import note_request_exception

        connection_created.connect(install_query_monitor, dispatch_uid="core.query_monitor")
        got_request_exception.connect(note_request_exception, dispatch_uid="core.database_outage")
        checks.register(check_trusted_proxies_are_not_everyone, checks.Tags.security)
        # begin feature: psycopg_pool
        from .database_pool import make_outage_aware_on_connect

        # On the first connection, not here: the pool is made from the settings of that
        # moment (the test runner renames the database before connecting).
        connection_created.connect(make_outage_aware_on_connect, dispatch_uid="core.database_pool")
        # end feature: psycopg_pool
