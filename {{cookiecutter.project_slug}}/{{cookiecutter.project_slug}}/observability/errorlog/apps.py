from django.apps import AppConfig


class ErrorLogConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.observability.errorlog"
    # The label of the app before it moved here: existing tables and migrations keep it.
    label = "errorlog"
    verbose_name = "Error log"

    def ready(self):
        from django.core.signals import got_request_exception

        from .recorder import record_request_exception

        got_request_exception.connect(record_request_exception, dispatch_uid="errorlog.record")
