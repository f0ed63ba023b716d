"""factory_boy factories and a builder for the page tree the portal expects."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Page, Site

from tenders.models import (
    CallCriterion,
    CallIndexPage,
    CallPage,
    HomePage,
    NewsIndexPage,
    RequiredDocument,
)

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True


class SuperuserFactory(UserFactory):
    is_staff = True
    is_superuser = True


def build_site():
    """Root → HomePage → (CallIndexPage, NewsIndexPage); the default Site points home."""
    root = Page.get_first_root_node()
    for placeholder in root.get_children().exact_type(Page):
        placeholder.delete()
    home = root.add_child(instance=HomePage(title="Zabuni", slug="home"))
    calls = home.add_child(instance=CallIndexPage(title="Calls", slug="calls"))
    news = home.add_child(instance=NewsIndexPage(title="News", slug="news"))
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home},
    )
    return {"home": home, "calls": calls, "news": news}


_call_counter = iter(range(1, 1_000_000))


def make_call(index, *, criteria=None, documents=None, **fields):
    """Create and publish a call under ``index``; open now unless dates are given."""
    n = next(_call_counter)
    now = timezone.now()
    values = {
        "title": f"Call number {n}",
        "slug": f"call-{n}",
        "kind": "consultancy",
        "reference_code": f"DC-CFC-2026-{n:03d}",
        "summary": "A call for a consultant.",
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=10),
        "clarifications_close_at": now + timedelta(days=5),
        "budget_ceiling": Decimal("100000"),
        "currency": "KES",
        "selection_method": "qcbs",
        "technical_weight": Decimal("0.80"),
        "financial_weight": Decimal("0.20"),
        "minimum_technical_score": Decimal("70"),
    }
    values.update(fields)
    if values["kind"] == "grant" and "selection_method" not in fields:
        values.update(
            selection_method="grant_scoring",
            technical_weight=Decimal("1"),
            financial_weight=Decimal("0"),
        )
    call = CallPage(**values)
    call.criteria = [
        CallCriterion(title=title, max_points=points)
        for title, points in (criteria or [("Methodology", 60), ("Experience", 40)])
    ]
    default_documents = [("Technical proposal", "technical", True, "pdf", 5)]
    if values["kind"] == "consultancy":
        default_documents.append(("Financial proposal", "financial", True, "pdf,xlsx", 5))
    call.required_documents = [
        RequiredDocument(
            name=name, envelope=envelope, is_required=required, accepted_types=types,
            max_size_mb=size,
        )
        for name, envelope, required, types, size in (documents or default_documents)
    ]
    index.add_child(instance=call)
    call.save_revision().publish()
    return CallPage.objects.get(pk=call.pk)
