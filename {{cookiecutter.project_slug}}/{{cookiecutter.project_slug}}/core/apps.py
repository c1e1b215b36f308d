from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.core"
    verbose_name = "Core"

    def ready(self):
        from django.core import checks
        from django.db.backends.signals import connection_created

        from .checks import check_trusted_proxies_are_not_everyone
        from .queries import install_query_monitor

        connection_created.connect(install_query_monitor, dispatch_uid="core.query_monitor")
        checks.register(check_trusted_proxies_are_not_everyone, checks.Tags.security)
