from django.apps import AppConfig


class MailConfig(AppConfig):
    """E-mail: the backend of each environment (see config/settings/components/mail.py).

    Error mails to ADMINS live in observability.error_mail.
    """

    name = "{{ cookiecutter.project_slug }}.mail"
    verbose_name = "E-mail"
