from .calls import CallClosing, CallCriterion, CallIndexPage, CallPage, RequiredDocument
from .home import HomePage
from .notices import Addendum, CallCancellation, Clarification, PublishedTerms

__all__ = [
    "Addendum",
    "CallCancellation",
    "Clarification",
    "PublishedTerms",
    "CallClosing",
    "CallCriterion",
    "CallIndexPage",
    "CallPage",
    "HomePage",
    "RequiredDocument",
]
