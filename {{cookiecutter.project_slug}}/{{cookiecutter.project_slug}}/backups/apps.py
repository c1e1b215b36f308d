from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """Verified database backups on top of django-dbbackup.

    Listed before ``dbbackup`` in INSTALLED_APPS, so its ``dbbackup`` and ``dbrestore``
    commands (the library's, plus checksums, retention and safety checks) take precedence.
    """

    name = "{{ cookiecutter.project_slug }}.backups"
    label = "backups"
    verbose_name = "Backups"
