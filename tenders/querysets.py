"""Chainable reads for calls: ``CallPage.objects.live().open_now()``."""

from django.conf import settings
from django.db.models import Case, F, IntegerField, Min, Q, Value, When
from django.utils import timezone
from wagtail.models import PageManager
from wagtail.query import PageQuerySet

from tenders.choices import CallOutcome, CallState


def original_calls() -> Q:
    """``limit_choices_to`` for a link to a call: originals only, never a translation."""
    return Q(locale__language_code=settings.LANGUAGE_CODE)


class CallPageQuerySet(PageQuerySet):
    def originals(self):
        """Calls in the default language: the calls themselves. A translation only
        lends its words to its original (core.page_text); nothing is done with it."""
        return self.filter(original_calls())

    def undecided(self):
        return self.filter(outcome=CallOutcome.NONE)

    def open_now(self, now=None):
        now = now or timezone.now()
        return self.undecided().filter(opens_at__lte=now, closes_at__gt=now)

    def upcoming(self, now=None):
        now = now or timezone.now()
        return self.undecided().filter(opens_at__gt=now)

    def closed(self, now=None):
        now = now or timezone.now()
        return self.undecided().filter(closes_at__lte=now)

    def next_state_change(self, now=None):
        """The next moment any of these calls opens, stops taking questions or closes
        (an undecided call's state follows its dates); None if none is due."""
        now = now or timezone.now()
        moments = self.undecided().aggregate(
            opens=Min("opens_at", filter=Q(opens_at__gt=now)),
            questions=Min("clarifications_close_at", filter=Q(clarifications_close_at__gt=now)),
            closes=Min("closes_at", filter=Q(closes_at__gt=now)),
        )
        return min(filter(None, moments.values()), default=None)

    def awarded(self):
        return self.filter(outcome=CallOutcome.AWARDED)

    def cancelled(self):
        return self.filter(outcome=CallOutcome.CANCELLED)

    def due_to_close(self, now=None):
        """Calls whose deadline has passed and whose closing is not yet recorded."""
        now = now or timezone.now()
        return self.filter(closes_at__lte=now, closing__isnull=True)

    def in_state(self, state: str, now=None):
        return {
            CallState.OPEN: lambda: self.open_now(now),
            CallState.UPCOMING: lambda: self.upcoming(now),
            CallState.CLOSED: lambda: self.closed(now),
            CallState.AWARDED: self.awarded,
            CallState.CANCELLED: self.cancelled,
        }[CallState(state)]()

    def search_text(self, text: str):
        """Plain substring search over what an applicant would type: title,
        reference code and summary. Works the same on SQLite and PostgreSQL
        and keeps the index's filters and pagination in one query."""
        text = text.strip()
        if not text:
            return self
        words = Q(title__icontains=text) | Q(summary__icontains=text)
        # A reader of a translation finds its original by the translation's words.
        translated = self.model._default_manager.filter(words, live=True).exclude(
            locale__language_code=settings.LANGUAGE_CODE
        )
        return self.filter(
            words
            | Q(reference_code__icontains=text)
            | Q(translation_key__in=translated.values("translation_key"))
        )

    def in_listing_order(self, now=None):
        """Open calls first, soonest deadline first; then upcoming ones by deadline;
        then everything past, most recent deadline first."""
        now = now or timezone.now()
        open_now = Q(outcome=CallOutcome.NONE, opens_at__lte=now, closes_at__gt=now)
        upcoming = Q(outcome=CallOutcome.NONE, opens_at__gt=now)
        return self.annotate(
            listing_group=Case(
                When(open_now, then=Value(0)),
                When(upcoming, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            future_deadline=Case(When(open_now | upcoming, then=F("closes_at"))),
        ).order_by(
            "listing_group",
            F("future_deadline").asc(nulls_last=True),
            F("closes_at").desc(),
            "pk",
        )

    def matching(self, *, kind: str = "", state: str = "", text: str = ""):
        calls = self
        if kind:
            calls = calls.filter(kind=kind)
        if state:
            calls = calls.in_state(state)
        if text:
            calls = calls.search_text(text)
        return calls


CallPageManager = PageManager.from_queryset(CallPageQuerySet)
