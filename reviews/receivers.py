"""The reviews side of a call's events: a closed call goes to its panel."""

from reviews.models import Panel
from reviews.services.panels import panel_hand_over
from tenders.models import CallPage
from tenders.signals import call_closed


def _on_call_closed(sender, call_id, **kwargs):
    """Hand the call to its panel as soon as its closing is recorded (once)."""
    panel = Panel.objects.select_related("call").filter(call_id=call_id).first()
    if panel is not None:
        panel_hand_over(call=panel.call)


def connect():
    call_closed.connect(_on_call_closed, sender=CallPage, dispatch_uid="zabuni-hand-over")
