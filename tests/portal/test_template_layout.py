"""The top-level layout the project was specified with (issue 21, item 12): the
site-wide templates live in ``templates/`` at the top, found through
``TEMPLATES["DIRS"]``; each app keeps its own in its folder; every template that
another extends or includes by name is found.
"""

import re
from pathlib import Path

from django.conf import settings
from django.template.loader import get_template

ROOT = Path(settings.BASE_DIR)
SITE_TEMPLATES = ROOT / "templates"
APPS = settings.PORTAL_APPS
# What belongs to the whole site rather than to one app.
SITE_WIDE = (
    "base.html",
    "400.html",
    "403_csrf.html",
    "404.html",
    "413.html",
    "429.html",
    "500.html",
    "includes/header.html",
    "includes/footer.html",
    "includes/language_switch.html",
    "includes/field.html",
    "includes/error_summary.html",
    "includes/pagination.html",
    "includes/page_versions.html",
    "blocks/heading_block.html",
    "emails/base.html",
)
NAMED = re.compile(r"{%\s*(?:extends|include)\s+[\"']([^\"']+)[\"']")


def our_templates():
    folders = [SITE_TEMPLATES, *(ROOT / app / "templates" for app in APPS)]
    return [path for folder in folders for path in folder.rglob("*.html")]


def test_the_site_wide_templates_are_in_the_top_level_templates_folder():
    assert SITE_TEMPLATES.is_dir()
    assert SITE_TEMPLATES in [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    for name in SITE_WIDE:
        origin = Path(get_template(name).origin.name)
        assert origin == SITE_TEMPLATES / name, f"{name} comes from {origin}"


def test_no_app_holds_a_site_wide_template():
    for app in APPS:
        for name in SITE_WIDE:
            assert not (ROOT / app / "templates" / name).exists(), f"{app} holds {name}"


def test_every_extended_or_included_template_is_found():
    names = {
        (path.relative_to(ROOT), name)
        for path in our_templates()
        for name in NAMED.findall(path.read_text(encoding="utf-8"))
    }
    assert len(names) > 50  # the pages, e-mails and includes of every app
    for _path, name in sorted(names):
        get_template(name)  # raises TemplateDoesNotExist, naming it and the template


def test_the_image_and_the_message_catalogue_take_the_templates_folder():
    """The Docker image copies the tree less .dockerignore; `make messages` and the
    catalogue check of `make lint` read the code less their ignore lists. None leaves it out."""
    import runpy

    NOT_CODE = runpy.run_path(str(ROOT / "scripts" / "check_messages.py"))["NOT_CODE"]

    docker_ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    ignores = re.search(r"MESSAGE_IGNORES :=(.*?)\n\S", makefile, re.S).group(1)
    assert not {"templates", "templates/", "/templates"} & set(docker_ignored)
    assert "templates" not in NOT_CODE
    assert '"templates' not in ignores
