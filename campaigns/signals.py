"""Signals a campaign sends when one is built from another, for apps that come later.

Campaigns import no later app (models_registry, appraisal...): an app that keeps something
per campaign joins here instead, e.g. the appraisal app copies its rubric to the new
campaign. Both are sent with `send` (not `send_robust`) inside the transaction that builds
the new campaign, once it is complete (header, fields, targets, quota lines, milestones):
what a receiver writes commits with the campaign, and a receiver that raises undoes the
whole copy or derivation.

campaign_copied(sender=Campaign, original, copy, user, upper)
    `copy` is a new draft at `original`'s level made by "Sao chép kế hoạch" (services.
    campaign_copy); `upper` is the published upper campaign the copy implements, or None.
    A copy that implements an upper campaign sends this signal only, not campaign_derived:
    it takes its content from `original`.

campaign_derived(sender=Campaign, upper, derived, user)
    `derived` is a new draft of a lower level implementing `upper` (services.campaign_derive).
"""

from django.dispatch import Signal

campaign_copied = Signal()
campaign_derived = Signal()
