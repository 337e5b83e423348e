from django.db import migrations, models

from dvk.text import normalize_search


def fill_search_names(apps, schema_editor):
    """Existing people get the column save() now fills (historical models have no save())."""
    User = apps.get_model("dvk", "User")
    batch = []
    for user in User.objects.only("pk", "full_name", "first_name", "last_name").iterator(chunk_size=2000):
        user.search_name = normalize_search(user.full_name or f"{user.first_name} {user.last_name}")[:150]
        batch.append(user)
        if len(batch) >= 2000:
            User.objects.bulk_update(batch, ["search_name"])
            batch = []
    if batch:
        User.objects.bulk_update(batch, ["search_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("dvk", "0006_second_factor"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="search_name",
            field=models.CharField(db_index=True, default="", editable=False, max_length=150),
        ),
        migrations.RunPython(fill_search_names, migrations.RunPython.noop),
    ]
