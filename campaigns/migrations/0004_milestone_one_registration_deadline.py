"""One registration deadline per campaign, kept by the database.

Milestone.is_registration copies "the kind is registration" onto the row, so a partial unique
index can hold it. Existing rows are marked before the index is made: where a campaign
already has several registration milestones, only the one that counts (the latest due date,
as campaigns.compliance.registration_deadline reads it) is marked; staff see the others
refused as a second registration deadline when they next edit them."""

from django.db import migrations, models


def mark_registration_deadlines(apps, schema_editor):
    Milestone = apps.get_model("campaigns", "Milestone")
    counted = {}
    for pk, campaign_id in (
        Milestone.objects.filter(kind__code="registration")
        .order_by("campaign_id", "due_on", "pk")
        .values_list("pk", "campaign_id")
    ):
        counted[campaign_id] = pk  # ordered by due date: the last one seen is the latest
    Milestone.objects.filter(pk__in=counted.values()).update(is_registration=True)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0003_reminder_details_and_sweep_schedule"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalmilestone",
            name="is_registration",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="milestone",
            name="is_registration",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_registration_deadlines, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="milestone",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_registration", True)),
                fields=("campaign",),
                name="one_registration_deadline_per_campaign",
            ),
        ),
    ]
