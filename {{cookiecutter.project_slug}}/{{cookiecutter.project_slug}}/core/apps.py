from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.core"
    verbose_name = "Core"

    def ready(self):
        from django.db.backends.signals import connection_created

        from .queries import install_query_monitor

        connection_created.connect(install_query_monitor, dispatch_uid="core.query_monitor")
