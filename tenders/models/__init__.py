from .calls import CallPage
from .home import HomePage
from .index_page import CallIndexPage
from .notices import Addendum, CallCancellation, Clarification, PublishedTerms
from .rows import CallClosing, CallCriterion, RequiredDocument

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
