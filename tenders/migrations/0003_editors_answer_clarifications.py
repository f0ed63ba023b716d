"""Wagtail's Editors group answers applicants' clarifications."""

from django.db import migrations

PERMISSIONS = {
    "add_clarification": "Can add clarification",
    "change_clarification": "Can change clarification",
    "view_clarification": "Can view clarification",
}


def _permissions(apps):
    # Permissions are normally created after all migrations run: make them now.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="tenders", model="clarification")
    return [
        Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )[0]
        for codename, name in PERMISSIONS.items()
    ]


def grant(apps, schema_editor):
    editors = apps.get_model("auth", "Group").objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    editors = apps.get_model("auth", "Group").objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("tenders", "0002_clarification_publishedterms_addendum"),
        ("wagtailcore", "0002_initial_data"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
