from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.observability"
    verbose_name = "Observability"

    def ready(self):
        from django.db.backends.signals import connection_created

        from .queries import install_query_monitor

        connection_created.connect(install_query_monitor, dispatch_uid="observability.queries")
