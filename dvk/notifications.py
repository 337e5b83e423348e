"""The notification centre: reads and writes of a user's own notifications.

A notification belongs to its user, not to a tenant: it is read at /notifications/, outside
any organisation's scope, and every function here filters by that user, so another user's
notification is never found (the view answers 404)."""

from django.utils import timezone

from .models import Notification


def notifications_of(user):
    """The user's notifications, newest first, with their organisation (one query a page)."""
    return Notification.objects.filter(user=user).select_related("organization").order_by("-created_at", "-pk")


def notification_of(user, pk):
    """The user's notification `pk`, or None (the caller answers 404)."""
    return Notification.objects.filter(user=user, pk=pk).first()


def unread_count(user):
    """Unread notifications of the user: one count on the (user, read_at) index."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_mark_read(*, notification, now=None):
    """Marks one notification read (no change when it already is)."""
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, user, now=None):
    """Marks every unread notification of the user read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=now or timezone.now())


def notifications_create(*, items):
    """Creates many notifications at once. `items`: dicts of user (or user_id), organization,
    title, body, url. Returns how many were created."""
    rows = [Notification(**item) for item in items]
    Notification.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
