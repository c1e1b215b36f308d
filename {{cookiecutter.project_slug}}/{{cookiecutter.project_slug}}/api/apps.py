from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.api"
    verbose_name = "API"

    def ready(self):
        # A bad version or deprecation setting stops every process at start-up.
        from .deprecation import check_settings

        check_settings()
