from .compliance import ComplianceDecision
from .panels import Assignment, Panel, ReminderSent, Review, Score
from .registers import FinancialOpeningRegister, FinancialRegisterAddendum
from .reports import ReportSignOff
from .sheets import ScoringSheet, SheetStatus

__all__ = [
    "Assignment",
    "ComplianceDecision",
    "FinancialOpeningRegister",
    "FinancialRegisterAddendum",
    "Panel",
    "ReminderSent",
    "ReportSignOff",
    "Review",
    "Score",
    "ScoringSheet",
    "SheetStatus",
]
