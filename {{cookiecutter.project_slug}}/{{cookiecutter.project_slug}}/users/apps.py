from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.users"
    label = "users"
    verbose_name = "Users"

    def ready(self):
        from django.core import checks

        from .checks import check_database_was_not_made_for_django_user

        # Database checks run where a database is named: migrate, check --database.
        checks.register(check_database_was_not_made_for_django_user, checks.Tags.database)
