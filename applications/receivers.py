"""Bidders hear of what a call announces: addenda and published answers."""

from applications.services.notices import on_addendum_recorded, on_clarification_published
from tenders.signals import addendum_recorded, clarification_published


def connect():
    addendum_recorded.connect(on_addendum_recorded, dispatch_uid="zabuni-addendum-notices")
    clarification_published.connect(
        on_clarification_published, dispatch_uid="zabuni-clarification-notices"
    )
