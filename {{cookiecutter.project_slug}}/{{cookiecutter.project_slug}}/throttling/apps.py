from django.apps import AppConfig


class ThrottlingConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.throttling"
    verbose_name = "Rate limits"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
