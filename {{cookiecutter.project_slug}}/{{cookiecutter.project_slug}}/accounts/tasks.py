from celery import shared_task

from . import services


@shared_task(name="accounts.send_password_reset")
def send_password_reset_task(email):
    services.send_password_reset(email)
