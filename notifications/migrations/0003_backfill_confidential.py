from django.db import migrations

# Mail written before the flag existed: the notices about a bid, by their keys.
ABOUT_A_BID = (
    "receipt:",
    "withdrawn:",
    "clarification:",
    "addendum:",
    "outcome:",
    "register:",
    "cancelled:",
)


def mark_confidential(apps, schema_editor):
    OutboxMessage = apps.get_model("notifications", "OutboxMessage")
    for prefix in ABOUT_A_BID:
        OutboxMessage.objects.filter(dedupe_key__startswith=prefix).update(confidential=True)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_outbox_retry_policy")]

    operations = [migrations.RunPython(mark_confidential, migrations.RunPython.noop)]
