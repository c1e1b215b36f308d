from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "{{ cookiecutter.project_slug }}.accounts"
    label = "accounts"
    verbose_name = "Accounts"
    # begin feature: jwt

    def ready(self):
        from django.db.models.signals import pre_save
        from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

        from .jwt import keep_a_digest_of_the_refresh_token

        pre_save.connect(keep_a_digest_of_the_refresh_token, sender=OutstandingToken)
    # end feature: jwt
