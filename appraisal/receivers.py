"""What appraisal does when campaigns build one campaign from another (campaigns.signals)."""

from . import services


def copy_rubric_with_campaign(sender, *, original, copy, user=None, **kwargs):
    """ "Sao chép kế hoạch": the copy takes its original's rubric (it takes its content from
    the original, even when it implements an upper campaign)."""
    services.rubric_copy(source=original, target=copy, user=user)


def copy_rubric_to_derived(sender, *, upper, derived, user=None, **kwargs):
    """A lower level implementing `upper` starts from the upper level's rubric."""
    services.rubric_copy(source=upper, target=derived, user=user)
