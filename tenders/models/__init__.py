from .calls import CallClosing, CallCriterion, CallIndexPage, CallPage, RequiredDocument
from .home import HomePage
from .news import ArticlePage, NewsIndexPage

__all__ = [
    "ArticlePage",
    "CallClosing",
    "CallCriterion",
    "CallIndexPage",
    "CallPage",
    "HomePage",
    "NewsIndexPage",
    "RequiredDocument",
]
