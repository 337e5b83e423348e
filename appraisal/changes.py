"""The feed of what changed on members' assignments, for devices that catch up after being
offline ("what changed since", read by the API with the last id seen as cursor).

Services that change what a member may do on an assignment append an entry here, in their
own transaction: an assignment made or removed, a scorecard reopened, a conflict recorded;
closing or reopening scoring is one board-wide entry (user None)."""

from .models import AssignmentChange


def record_change(*, board, kind, user=None, registration=None, detail=""):
    return AssignmentChange.objects.create(
        board=board, kind=kind, user=user, registration=registration, detail=detail[:2000]
    )


def record_changes(entries):
    """Many entries in one insert: [(board, kind, user, registration, detail)]."""
    rows = [
        AssignmentChange(board=b, kind=k, user=u, registration=r, detail=(d or "")[:2000]) for b, k, u, r, d in entries
    ]
    return AssignmentChange.objects.bulk_create(rows)
