from .calls import CallClosing, CallCriterion, CallIndexPage, CallPage, RequiredDocument
from .home import HomePage
from .notices import Addendum, Clarification, PublishedTerms

__all__ = [
    "Addendum",
    "Clarification",
    "PublishedTerms",
    "CallClosing",
    "CallCriterion",
    "CallIndexPage",
    "CallPage",
    "HomePage",
    "RequiredDocument",
]
