"""Tests that lock scoring first take the preliminary examination, as the chair would:
every bid marked responsive (those in which the portal found something, with a reason)."""

from applications.models import Submission
from reviews.models import Panel
from reviews.services.compliance import compliance_clear, compliance_decide


def examined(panel: Panel) -> Panel:
    """Mark every received bid of ``panel``'s call responsive; return the panel."""
    panel = Panel.objects.select_related("call", "chair").get(pk=panel.pk)
    compliance_clear(panel=panel, user=panel.chair)
    for submission in (
        Submission.objects.filter(call=panel.call).received().filter(compliance__isnull=True)
    ):
        compliance_decide(
            panel=panel,
            user=panel.chair,
            submission=submission,
            responsive=True,
            reason="Checked by the chair: acceptable as sent.",
        )
    return panel
