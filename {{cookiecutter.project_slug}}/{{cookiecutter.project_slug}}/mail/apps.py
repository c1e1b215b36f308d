from django.apps import AppConfig


class MailConfig(AppConfig):
    """E-mail: error notifications to ADMINS (see config/settings/components/mail.py)."""

    name = "{{ cookiecutter.project_slug }}.mail"
    verbose_name = "E-mail"

    def ready(self):
        """Connect the signal handlers of the features chosen at generation."""
        from . import task_failures  # noqa: F401  # feature: celery
