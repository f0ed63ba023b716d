from .panels import Assignment, Panel, ReminderSent, Review, Score
from .registers import FinancialOpeningRegister
from .sheets import ScoringSheet, SheetStatus

__all__ = [
    "Assignment",
    "FinancialOpeningRegister",
    "Panel",
    "ReminderSent",
    "Review",
    "Score",
    "ScoringSheet",
    "SheetStatus",
]
