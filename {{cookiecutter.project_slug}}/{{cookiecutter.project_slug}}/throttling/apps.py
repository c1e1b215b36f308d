from django.apps import AppConfig


class ThrottlingConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.throttling"
    verbose_name = "Rate limits"
