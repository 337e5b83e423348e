"""Celery tasks of appraisal: thin, named, keyword-only primitive arguments."""

import smtplib

from celery import shared_task
from django.core.mail import EmailMessage, get_connection
from django.db import OperationalError

from . import reminders


@shared_task(
    name="appraisal.send_visit_mail",
    bind=True,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
    default_retry_delay=120,
)
def send_visit_mail(self, *, messages):
    """Mails the notices of a visit scheduled, changed or cancelled (appraisal.visit_services),
    handed over once the write is committed. `messages`: dicts of to, subject, body, already
    rendered, so the task reads nothing of a tenant. A mail server that fails is retried."""
    mails = [EmailMessage(m["subject"], m["body"], None, [m["to"]]) for m in messages if m.get("to")]
    if not mails:
        return 0
    try:
        get_connection().send_messages(mails)
    except (smtplib.SMTPException, ConnectionError) as exc:
        raise self.retry(exc=exc) from exc
    return len(mails)


@shared_task(
    name="appraisal.send_scoring_reminder_batch",
    bind=True,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
    default_retry_delay=120,
)
def send_scoring_reminder_batch(self, *, ids, claim_token=None):
    """Sends one claimed batch of scoring reminders (appraisal.reminders.send_batch), enqueued
    by the campaigns' daily sweep. A mail server that fails is retried a few times; after that
    the claim times out and a later sweep claims the rows again."""
    try:
        return reminders.send_batch(ids=ids, claim_token=claim_token)
    except (smtplib.SMTPException, ConnectionError, OperationalError) as exc:
        raise self.retry(exc=exc) from exc
