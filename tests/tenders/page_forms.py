"""Post the real Wagtail admin "add page" form, as an editor's browser would.

The data is built with ``wagtail.test.utils.form_data``, so it has the shape
the admin's own widgets submit (inline formsets, StreamField, rich text).
"""

from html import unescape

from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield


def add_page_url(model, parent) -> str:
    return reverse(
        "wagtailadmin_pages:add", args=[model._meta.app_label, model._meta.model_name, parent.pk]
    )


def post_new_page(client, model, parent, data, *, publish=True):
    """POST the admin create form; return the response (redirects not followed).

    A call is published as staff must publish one (issue 23): saved as a draft, its
    opening committee set up (members with opening keys), then published from its edit
    form. A draft the form refused is answered at once."""
    from tenders.models import CallPage

    data = dict(data)
    if publish and issubclass(model, CallPage):
        before = set(CallPage.objects.values_list("pk", flat=True))
        draft = client.post(add_page_url(model, parent), data)
        created = CallPage.objects.exclude(pk__in=before).first()
        if draft.status_code != 302 or created is None:
            return client.post(add_page_url(model, parent), {**data, "action-publish": "1"})
        from tests.sealing_support import keyed_committee

        keyed_committee(created)
        return publish_from_edit(client, created, data)
    if publish:
        data["action-publish"] = "action-publish"
    return client.post(add_page_url(model, parent), data)


def publish_from_edit(client, call, data, **kwargs):
    """POST a draft call's edit form with Publish, its rows sent back by id."""
    data = {**data, "action-publish": "action-publish"}
    for relation in ("criteria", "required_documents"):
        if f"{relation}-TOTAL_FORMS" in data:
            rows = list(getattr(call, relation).order_by("sort_order"))
            data[f"{relation}-INITIAL_FORMS"] = len(rows)
            data.update({f"{relation}-{n}-id": row.pk for n, row in enumerate(rows)})
    return client.post(reverse("wagtailadmin_pages:edit", args=[call.pk]), data, **kwargs)


def form_errors(response) -> list[str]:
    """Every error the admin showed: the form's and each inline formset's."""
    context = response.context
    if context is None or "form" not in context:
        return [f"HTTP {response.status_code}, no form in the response"]
    form = context["form"]
    errors = [f"{field}: {error}" for field, messages in form.errors.items() for error in messages]
    for name, formset in getattr(form, "formsets", {}).items():
        errors += [f"{name}: {error}" for error in formset.non_form_errors()]
        for index, inline in enumerate(formset.forms):
            for field, messages in inline.errors.items():
                errors += [f"{name}-{index}-{field}: {error}" for error in messages]
    return errors


def assert_created(response, parent):
    """The admin accepted the page and sent the editor back to the parent's listing."""
    explore = reverse("wagtailadmin_explore", args=[parent.pk])
    assert response.status_code == 302, "The admin refused the page:\n" + "\n".join(
        form_errors(response)
    )
    assert response.url == explore


def shown_to_editor(response) -> str:
    """The page the editor sees after a refused save, as plain text."""
    assert response.status_code == 200, f"Expected the form again, got HTTP {response.status_code}"
    return unescape(response.content.decode())


def call_form_data(**overrides):
    """A complete, valid consultancy call as the admin form submits it.

    Dates are typed in the admin's format and read in the organisation's
    zone (Africa/Nairobi).
    """
    values = {
        "title": "Training on documentation from a gender perspective",
        "slug": "training-documentation-gender",
        "kind": "consultancy",
        "reference_code": "DC-CFC-2026-101",
        "summary": "We seek a consultant to train defenders on documentation.",
        "terms_of_reference": streamfield(
            [
                ("heading", "Background"),
                ("paragraph", rich_text("<p>Defenders need <b>safe</b> documentation.</p>")),
            ]
        ),
        "application_form": streamfield([]),
        "stage": "single",
        "first_stage": "",
        "opens_at": "2026-01-05 09:00",
        "closes_at": "2099-12-03 23:59",
        "clarifications_close_at": "2099-11-26 17:00",
        "budget_ceiling": "1500000",
        "currency": "KES",
        "selection_method": "qcbs",
        "technical_weight": "0.80",
        "financial_weight": "0.20",
        "minimum_technical_score": "70",
        "outcome": "",
        "criteria": inline_formset(
            [
                {"title": "Methodology", "description": "", "max_points": "60"},
                {"title": "Experience", "description": "", "max_points": "40"},
            ],
            min=1,
        ),
        "required_documents": inline_formset(
            [
                {
                    "name": "Technical proposal",
                    "description": "",
                    "envelope": "technical",
                    "is_required": "on",
                    "accepted_types": "pdf",
                    "max_size_mb": "10",
                },
                {
                    "name": "Financial proposal",
                    "description": "",
                    "envelope": "financial",
                    "is_required": "on",
                    "accepted_types": "pdf,xlsx",
                    "max_size_mb": "5",
                },
            ],
            min=1,
        ),
    }
    values.update(overrides)
    return nested_form_data(values)


def grant_form_data(**overrides):
    """A complete, valid grant call: quality-only scoring, technical documents only."""
    values = {
        "title": "Small grants for defenders' networks",
        "slug": "small-grants-networks",
        "kind": "grant",
        "reference_code": "DC-GRT-2026-101",
        "selection_method": "grant_scoring",
        "technical_weight": "1.00",
        "financial_weight": "0.00",
        "currency": "USD",
        "budget_ceiling": "10000",
        "required_documents": inline_formset(
            [
                {
                    "name": "Narrative application",
                    "description": "",
                    "envelope": "technical",
                    "is_required": "on",
                    "accepted_types": "pdf,docx",
                    "max_size_mb": "10",
                }
            ],
            min=1,
        ),
    }
    values.update(overrides)
    return call_form_data(**values)


def list_block(items: list) -> dict:
    """A ListBlock's fields as the admin's widget submits them."""
    data = {"count": str(len(items))}
    for n, item in enumerate(items):
        data.update({f"{n}-value": item, f"{n}-deleted": "", f"{n}-order": str(n), f"{n}-id": ""})
    return data
