"""What the deadline tests share: moving a deadline, and the bid form as posted."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from applications.demo import tiny_pdf
from applications.services.amounts import Amounts
from tenders.models import CallPage

OFFER = Amounts(offer_amount=Decimal("1250000"), offer_currency="KES")


def close_at(call, moment) -> CallPage:
    """Move the deadline with a plain UPDATE, as an editor's change or time would."""
    CallPage.objects.filter(pk=call.pk).update(closes_at=moment)
    return CallPage.objects.get(pk=call.pk)


def uploads(call) -> dict:
    """A complete set of documents, keyed by requirement, for the service."""
    return {
        doc.pk: SimpleUploadedFile(f"{doc.name}.pdf", tiny_pdf(doc.name), "application/pdf")
        for doc in call.required_documents.all()
    }


def form_data(call, action: str) -> dict:
    """The bid form as the browser posts it, complete: both documents and the offer."""
    data = {"action": action, "offer_amount": "1250000", "offer_currency": "KES"}
    for doc in call.required_documents.all():
        data[f"document_{doc.pk}"] = SimpleUploadedFile(
            f"{doc.name}.pdf", tiny_pdf(doc.name), "application/pdf"
        )
    return data
