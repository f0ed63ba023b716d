from .panels import Assignment, Panel, ReminderSent, Review, Score
from .sheets import ScoringSheet, SheetStatus

__all__ = ["Assignment", "Panel", "ReminderSent", "Review", "Score", "ScoringSheet", "SheetStatus"]
