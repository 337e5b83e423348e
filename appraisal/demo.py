"""Appraisal's demo data (run by dvk's seed_demo after campaigns' own, in app order).

Every demo campaign shows the default rubric without a row; Diễn Châu's 2026 (closed) and
2027 (live) plans store it, as their staff would on first saving the rubric page, so the
campaign page's panel and the rubric page show a stored rubric there."""

from dvk.demo import in_demo_tree, purge_history

from . import selectors, services
from .models import Criterion, Rubric

LABELS = {"rubrics": "Bộ tiêu chí thẩm định"}
STORED_FOR = ("dienchau-2026", "dienchau-2027")


def build_rubrics(ctx):
    campaigns = ctx.data.get("campaigns", {})
    for key in STORED_FOR:
        campaign = campaigns.get(key)
        if campaign is None:
            continue
        exists = Rubric.objects.filter(campaign=campaign).exists()
        if not exists:
            view = selectors.rubric_of(campaign)
            services.rubric_save(
                campaign=campaign,
                criteria=[
                    {"name": c.name, "description": c.description, "max_points": c.max_points, "required": c.required}
                    for c in view.criteria
                ],
                threshold=view.threshold,
                bands=view.bands,
                expected_version=0,
            )
        ctx.count("rubrics", not exists)


def reset_rubrics(deleted):
    """Deletes the rubrics of the demo tree's campaigns and their criteria, with history."""
    rubric_ids = list(Rubric.objects.filter(in_demo_tree("campaign__organization")).values_list("pk", flat=True))
    criterion_ids = list(Criterion.objects.filter(rubric_id__in=rubric_ids).values_list("pk", flat=True))
    Rubric.objects.filter(pk__in=rubric_ids).delete()
    deleted["rubrics"] += len(rubric_ids)
    purge_history(Rubric, rubric_ids)
    purge_history(Criterion, criterion_ids)


# After campaigns' build steps (apps run in order); a closed campaign keeps its rubric.
BUILD_STEPS = [build_rubrics]
RESET_STEPS = [reset_rubrics]
