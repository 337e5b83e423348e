"""Seats: places a user holds at an organisation without a membership there.

A later app (appraisal: a board seat) registers a *seat source* in its `AppConfig.ready()`;
dvk imports no feature app. A seat admits its holder to the views and API classes that
declare they accept one (`@accepts_seat`, `accepts_seat = True`), under exactly the seat's
organisation, and to nothing else: `roles_at`, `has_any_role` and the rules built on them
stay membership-only, so a seat grants no permission.
"""

from contextlib import contextmanager
from dataclasses import dataclass

from .models import Organization

_sources = []


@dataclass(frozen=True)
class Seat:
    """A user's seat at `organization`. `label` says what it is (shown in the organisation
    switcher, e.g. "Đoàn thẩm định – KH 27-KH/ĐU"); `url` is where the switcher links (the
    board's page), since the organisation's own pages are closed to a seat holder.
    `work_label` and `work_url`: the seat's everyday work (a board member's scoring list),
    linked from the header wherever the user is, so it is never more than one tap away."""

    organization: Organization
    label: str
    url: str = ""
    work_label: str = ""
    work_url: str = ""


def seat_work_links(seats):
    """[(label, url, organisation name)] of the seats' work, each link once (two boards at one
    level share one scoring list)."""
    links = {}
    for seat in seats:
        if seat.work_url and seat.work_url not in links:
            links[seat.work_url] = (seat.work_label, seat.work_url, seat.organization.name)
    return list(links.values())


def register_seat_source(fn):
    """Adds `fn(user) -> iterable of Seat` to the sources. It must run a fixed number of
    queries whatever the number of seats (load the organisation with the seat row). Returns
    `fn`, so it works as a decorator; registering twice is a no-op."""
    if fn not in _sources:
        _sources.append(fn)
    return fn


def unregister_seat_source(fn):
    if fn in _sources:
        _sources.remove(fn)


@contextmanager
def seat_source(fn):
    """`fn` registered for the duration of the block (tests)."""
    register_seat_source(fn)
    try:
        yield fn
    finally:
        unregister_seat_source(fn)


def seats_of(user):
    """Every source's seats of `user` at active organisations, in tree order; computed once
    per user object (so once per request: the request's user is one object)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_dvk_seats", None)
    if cached is None:
        cached = [seat for source in _sources for seat in source(user) if seat.organization.archived_at is None]
        cached.sort(key=lambda seat: (seat.organization.path, seat.label))
        user._dvk_seats = cached
    return cached


def seat_at(user, org):
    """The user's seat at exactly `org`, or None. A seat is at one organisation: it opens
    neither its subtree nor its ancestors."""
    for seat in seats_of(user):
        if seat.organization.pk == org.pk:
            return seat
    return None


def accepts_seat(view):
    """Marks a function view as one a seat holder may open (the tenancy check admits them
    under the seat's organisation and sets `request.via_seat`). Decorators that use
    functools.wraps keep the mark, so its place among them does not matter."""
    view.accepts_seat = True
    return view


def view_accepts_seat(func):
    """True when the resolved view function (or the class behind `as_view()`) accepts a seat."""
    if getattr(func, "accepts_seat", False):
        return True
    view_class = getattr(func, "view_class", None) or getattr(func, "cls", None)
    return bool(getattr(view_class, "accepts_seat", False))
