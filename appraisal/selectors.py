"""Reads of appraisal, inside the request's scope (the tenant managers apply the rules)."""

from dataclasses import dataclass, field

from .enums import DEFAULT_BANDS, DEFAULT_CRITERIA, DEFAULT_THRESHOLD
from .models import Criterion, Rubric


@dataclass
class RubricView:
    """A campaign's rubric as pages read it: the stored one, or the default (`stored` False,
    version 0) until the first save stores it."""

    campaign: object
    rubric: Rubric  # unsaved while the default is shown
    criteria: list = field(default_factory=list)
    threshold: int = DEFAULT_THRESHOLD
    bands: list = field(default_factory=list)
    stored: bool = False

    @property
    def total(self):
        return sum(c.max_points for c in self.criteria)

    @property
    def version(self):
        return self.rubric.version if self.stored else 0


def default_criteria():
    return [
        Criterion(name=str(name), max_points=points, required=True, position=i)
        for i, (name, points) in enumerate(DEFAULT_CRITERIA)
    ]


def default_bands():
    return [{"name": str(name), "min": points} for name, points in DEFAULT_BANDS]


def rubric_of(campaign):
    """The rubric of `campaign` (a campaign the scope sees): two queries when stored, one
    when not, whatever the number of criteria."""
    rubric = Rubric.objects.filter(campaign=campaign).first()
    if rubric is None:
        return RubricView(
            campaign=campaign,
            rubric=Rubric(campaign=campaign),
            criteria=default_criteria(),
            threshold=DEFAULT_THRESHOLD,
            bands=default_bands(),
        )
    return RubricView(
        campaign=campaign,
        rubric=rubric,
        criteria=list(Criterion.objects.filter(rubric=rubric)),
        threshold=rubric.threshold,
        bands=list(rubric.bands),
        stored=True,
    )


# --- boards -----------------------------------------------------------------------------------


def boards_here():
    """Boards visible in the current scope, with what their pages show in the header."""
    from .models import Board

    return Board.objects.select_related("organization", "campaign__organization")


def members_of_board(board):
    """The board's members in their order, with their users: one query."""
    from .models import BoardMember

    return list(BoardMember.objects.filter(board=board).select_related("user").order_by("position_order", "pk"))
