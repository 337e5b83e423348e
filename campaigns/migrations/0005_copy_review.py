"""What a copied plan left out, kept on the copy for every staff member who edits it.

Until now the list lived in the copying user's session (the last five copies): a colleague,
or the same person on another device, never saw it. Copies made before this migration keep
no review (the sessions held nothing that can be trusted to belong to a campaign still)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0004_milestone_one_registration_deadline"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="copy_review",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
    ]
