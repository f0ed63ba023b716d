"""What a call announces, for the apps above it to act on.

``tenders`` knows nothing about bids or panels. When something happens to
a call that bidders or reviewers care about, it sends one of these, and the
app that owns the consequence listens (``applications`` notifies bidders,
``reviews`` hands the call to its panel). Receivers of the first two run
inside the transaction that records the event, so their mail is queued in
the same commit or not at all.
"""

from django.dispatch import Signal

# An addendum was recorded (deadline or terms changed). Sent inside the
# transaction; kwargs: call, addendum.
addendum_recorded = Signal()

# A clarification's answer was published on the call page. Sent inside the
# transaction; kwargs: clarification.
clarification_published = Signal()

# The close-calls task recorded a call's closing. Sent after commit, through
# send_robust; kwargs: call_id.
call_closed = Signal()

# A call was cancelled (recorded once, with its reason). Sent inside the
# transaction; kwargs: call, cancellation.
call_cancelled = Signal()

# A second-stage call was published for the first time (its shortlist is invited).
# Sent inside the transaction; kwargs: call.
second_stage_published = Signal()
