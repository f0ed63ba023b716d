from .calls import CallClosing, CallCriterion, CallIndexPage, CallPage, RequiredDocument
from .home import HomePage
from .news import ArticlePage, NewsIndexPage
from .notices import Addendum, Clarification, PublishedTerms

__all__ = [
    "Addendum",
    "Clarification",
    "PublishedTerms",
    "ArticlePage",
    "CallClosing",
    "CallCriterion",
    "CallIndexPage",
    "CallPage",
    "HomePage",
    "NewsIndexPage",
    "RequiredDocument",
]
