"""Who may do what with rubrics. Visibility is the scope's job (a rubric is seen where its
campaign is); these predicates answer what a visible rubric allows. The object is always a
Rubric (unsaved while the campaign shows the default), an object of this app, so
dvk.auth_backends.CrossAppPermissionGuard lets django-guardian answer too."""

import rules

from dvk.enums import Role
from dvk.selectors import has_role_at


@rules.predicate
def sees_campaign_of(user, rubric):
    return rubric is not None and user.has_perm("campaigns.view_campaign", rubric.campaign)


@rules.predicate
def is_staff_of_campaign_level(user, rubric):
    """Staff of the level that issued the campaign: they set how its models are scored."""
    return rubric is not None and has_role_at(user, rubric.campaign.organization, Role.STAFF)


rules.add_perm("appraisal.view_rubric", sees_campaign_of)
rules.add_perm("appraisal.change_rubric", is_staff_of_campaign_level)
