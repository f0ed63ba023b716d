"""The columns: the phases of a call and the people around a bid, and the bid's facts."""

from decimal import Decimal

BEFORE_DEADLINE = "before_deadline"
AFTER_DEADLINE = "after_deadline"
AFTER_OPENING = "after_opening"
# A superuser tried to move the open call's deadline into the past (refused):
# everything must still be sealed as before the deadline.
AFTER_MOVE_ATTEMPT = "after_deadline_move_attempt"
# After the opening, the evaluation goes on: technical scoring locked (prices
# still sealed), then the financial envelopes of the qualified bids opened.
AFTER_LOCK = "after_scoring_locked"
AFTER_FINANCIAL = "after_financial_opening"
PHASES = (
    BEFORE_DEADLINE,
    AFTER_MOVE_ATTEMPT,
    AFTER_DEADLINE,
    AFTER_OPENING,
    AFTER_LOCK,
    AFTER_FINANCIAL,
)
OPENED_PHASES = (AFTER_OPENING, AFTER_LOCK, AFTER_FINANCIAL)
LEADS = ("chair", "committee", "staff", "superuser")  # those who lead the evaluation
ROLES = (
    "owner",
    "other_applicant",
    "reviewer",
    "chair",
    "committee",
    "staff",
    "superuser",
    "anonymous",
)
CLIENT_IP = "203.0.113.9"
OFFER = Decimal("1234567")
OFFER_SHOWN = "1,234,567"
# The owner's answer to the call's application form, and a change waiting for Resubmit.
ANSWER = "Amina answers: we monitor remand homes in Kisumu"
ANSWER_PENDING = "Amina answers, second version: remand homes and police cells"
TECHNICAL = "Technical proposal"  # the documents of the consultancy_call fixture
FINANCIAL = "Financial proposal"
