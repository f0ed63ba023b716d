from django.db import migrations, models


def add_swahili_locale(apps, schema_editor):
    """Editors translate calls and articles into Swahili (wagtail.contrib.simple_translation)."""
    Locale = apps.get_model("wagtailcore", "Locale")
    Locale.objects.get_or_create(language_code="sw")


class Migration(migrations.Migration):
    dependencies = [
        ("tenders", "0002_callpage_cancellation_reason_callcancellation"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AlterField(
            model_name="callpage",
            name="reference_code",
            field=models.CharField(
                blank=True,
                help_text="For example DC-CFC-2026-004. Printed on every bid's reference number.",
                max_length=40,
                null=True,
                unique=True,
                verbose_name="reference code",
            ),
        ),
        migrations.RunPython(add_swahili_locale, migrations.RunPython.noop),
    ]
