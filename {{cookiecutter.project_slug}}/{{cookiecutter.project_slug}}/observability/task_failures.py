"""Celery task failures are e-mailed to ADMINS, through the same rate limit as 500s."""

import logging

from celery.signals import task_failure

# Only the mail_admins handler listens to this logger (Celery logs the failure itself); its
# name is the one config/settings/components/mail.py routes to ADMINS.
logger = logging.getLogger("{{ cookiecutter.project_slug }}.mail")


@task_failure.connect(dispatch_uid="mail-admins-on-task-failure")
def mail_admins_on_task_failure(sender=None, task_id=None, exception=None, **kwargs):
    logger.error(
        "Celery task %s failed: %r",
        getattr(sender, "name", sender),
        exception,
        exc_info=(type(exception), exception, exception.__traceback__),
        extra={"task_id": task_id},
    )
