"""A failed Celery task is e-mailed to ADMINS, through the same rate limit."""

from celery import shared_task
from django.core import mail


@shared_task(name="tests.always_fails")
def always_fails():
    raise RuntimeError("the nightly export broke")


def run_like_a_worker():
    # apply(throw=False) takes the worker's failure path (eager tests otherwise re-raise).
    return always_fails.apply(throw=False)


def test_a_failed_task_mails_admins(settings):
    result = run_like_a_worker()

    assert result.failed()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith(settings.EMAIL_SUBJECT_PREFIX)
    assert "tests.always_fails" in mail.outbox[0].subject
    assert "the nightly export broke" in mail.outbox[0].body


def test_a_task_failing_again_and_again_sends_one_mail():
    for _ in range(10):
        run_like_a_worker()

    assert len(mail.outbox) == 1
