"""The audit trail's personal details become erasable (issue 24).

Each event's details (where from, the file name, the detail) are chained through
a salted hash of their own, so the retention policy can erase them and the chain
still verifies. Existing events are rechained in the new form; each keeps its
first hash in ``legacy_hash``, which the new hash covers, so a checkpoint
written down before the upgrade still checks. The old chain is verified first:
an upgrade never launders a chain that was already broken.
"""

import secrets

from django.db import migrations, models

from applications import audit_triggers
from applications.models.audit import details_digest
from applications.services.audit_chain import GENESIS, canonical, canonical_v1

import hashlib


def rechain(apps, schema_editor):
    AuditEvent = apps.get_model("applications", "AuditEvent")
    connection = schema_editor.connection
    events = list(AuditEvent.objects.order_by("seq", "pk"))
    chained = [e for e in events if e.seq is not None]
    prev = GENESIS
    for position, event in enumerate(chained, start=1):
        first = hashlib.sha256(canonical_v1(event, seq=event.seq, prev_hash=prev)).hexdigest()
        if event.seq != position or event.prev_hash != prev or event.hash != first:
            raise RuntimeError(
                f"The audit chain is broken at event #{event.seq}: run manage.py "
                "verify_audit, and find out why, before upgrading."
            )
        prev = event.hash
    if not events:
        return
    if connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {audit_triggers.TABLE} DISABLE TRIGGER USER")
    else:
        audit_triggers.remove(apps, schema_editor)
    prev = GENESIS
    for event in events:
        event.details_salt = secrets.token_hex(16)
        event.details_hash = details_digest(event)
        fields = ["details_salt", "details_hash"]
        if event.seq is not None:
            event.legacy_hash = event.hash
            event.prev_hash = prev
            event.hash = hashlib.sha256(
                canonical(event, seq=event.seq, prev_hash=prev)
            ).hexdigest()
            prev = event.hash
            fields += ["legacy_hash", "prev_hash", "hash"]
        models.QuerySet.update(
            AuditEvent.objects.filter(pk=event.pk),
            **{name: getattr(event, name) for name in fields},
        )
    if connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {audit_triggers.TABLE} ENABLE TRIGGER USER")


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0022_clean_copies"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="details_salt",
            field=models.CharField(
                blank=True, default="", db_default="", max_length=32, verbose_name="details' salt"
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="details_hash",
            field=models.CharField(
                blank=True, default="", db_default="", max_length=64, verbose_name="details' hash"
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="details_erased_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="details erased at"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="legacy_hash",
            field=models.CharField(
                blank=True,
                default="",
                db_default="",
                max_length=64,
                verbose_name="hash before the upgrade",
            ),
        ),
        migrations.RunPython(rechain, migrations.RunPython.noop),
        migrations.RunPython(audit_triggers.install, audit_triggers.install_before_0023),
    ]
