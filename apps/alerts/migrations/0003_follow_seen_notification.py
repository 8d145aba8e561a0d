from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce


def seen_until_the_last_visit(apps, schema_editor):
    """What a reader had been shown before: the notifications up to their last visit."""
    Follow = apps.get_model("alerts", "Follow")
    Notification = apps.get_model("alerts", "Notification")
    newest_seen = (
        Notification.objects.filter(
            follow=OuterRef("pk"), created_at__lte=OuterRef("last_visited_at")
        )
        .values("follow")
        .annotate(newest=Max("id"))
        .values("newest")
    )
    Follow.objects.update(seen_notification_id=Coalesce(Subquery(newest_seen), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0002_follow_saved_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="follow",
            name="seen_notification_id",
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(seen_until_the_last_visit, migrations.RunPython.noop),
    ]
