"""Celery tasks of campaigns: thin, named, keyword-only primitive arguments; each calls its
service in campaigns.reminders (`sweep`, `send_batch`)."""

import datetime
import smtplib
from functools import partial

from celery import current_app, shared_task
from django.db import OperationalError, transaction

from . import reminders


@shared_task(
    name="campaigns.reminder_sweep",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=60,
)
def reminder_sweep(self, *, date=None):
    """The daily sweep (beat). Claimed batches go to `send_reminder_batch` tasks (a later
    app's to its own batch task) on the queue this sweep came from, enqueued once the claims
    are committed."""
    queue = (self.request.delivery_info or {}).get("routing_key") or None
    today = datetime.date.fromisoformat(date) if date else None
    return reminders.sweep(
        today=today, dispatch=enqueue_batch(queue), extension_dispatch=enqueue_extension_batch(queue)
    )


def enqueue_batch(queue=None):
    """A sweep's dispatch that enqueues each claimed batch once the claim is committed."""

    def dispatch(*, reminder_ids, claim_token):
        kwargs = {"reminder_ids": reminder_ids, "claim_token": claim_token}
        transaction.on_commit(partial(send_reminder_batch.apply_async, kwargs=kwargs, queue=queue))

    return dispatch


def enqueue_extension_batch(queue=None):
    """The sweep's `extension_dispatch`: an extension's batches go to its own task, by name
    (campaigns does not import the app that registered it)."""

    def dispatch_for(extension):
        def dispatch(*, ids, claim_token):
            kwargs = {"ids": ids, "claim_token": claim_token}
            transaction.on_commit(partial(current_app.send_task, extension.batch_task, kwargs=kwargs, queue=queue))

        return dispatch

    return dispatch_for


@shared_task(
    name="campaigns.send_reminder_batch",
    bind=True,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
    default_retry_delay=120,
)
def send_reminder_batch(self, *, reminder_ids, claim_token=None):
    """Sends one claimed batch. A mail server that fails is retried a few times; after that
    the claim times out and a later sweep claims the rows again."""
    try:
        return reminders.send_batch(reminder_ids=reminder_ids, claim_token=claim_token)
    except (smtplib.SMTPException, ConnectionError, OperationalError) as exc:
        raise self.retry(exc=exc) from exc
