"""Every change to an opening committee is on the record (issue 23, item 2): an event in
the audit chain naming who joined and who left, and a notice to each of them and to an
oversight address set in the environment (``OPENING_OVERSIGHT_EMAIL``). Whoever can make
staff accounts could otherwise swap in accounts they control and later open alone; now
the members who were swapped out, and the oversight address, are told at once.

Changes are caught where they happen to the rows (``m2m_changed`` on the members), so a
change from the admin, a shell or a later service is recorded all the same. The admin's
form says who made it (``acting``); anything else is recorded without an actor."""

import uuid
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import get_user_model

from applications.choices import AuditAction
from applications.services.audit import audit_record
from applications.services.call_keys import call_key_after_committee_change
from notifications.services import outbox_enqueue

_actor: ContextVar = ContextVar("committee_actor", default=None)
_CLEARED = "_zabuni_members_cleared"


@contextmanager
def acting(user):
    """Changes to committees inside this block are ``user``'s."""
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


def on_members_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if reverse:  # a user's committees changed from the user's side: not done here
        return
    if action == "pre_clear":
        setattr(instance, _CLEARED, set(instance.members.values_list("pk", flat=True)))
        return
    if action == "post_add" and pk_set:
        committee_change_record(committee=instance, joined=set(pk_set), left=set())
    elif action == "post_remove" and pk_set:
        committee_change_record(committee=instance, joined=set(), left=set(pk_set))
    elif action == "post_clear" and getattr(instance, _CLEARED, None):
        committee_change_record(committee=instance, joined=set(), left=getattr(instance, _CLEARED))
    if action in ("post_add", "post_remove", "post_clear"):
        call_key_after_committee_change(instance, actor=_actor.get())


def committee_change_record(*, committee, joined: set, left: set) -> None:
    """Audit the change and tell everyone concerned, in the caller's transaction."""
    people = {u.pk: u for u in get_user_model().objects.filter(pk__in=joined | left)}
    call = committee.call
    names = {
        "joined": sorted(people[pk].email for pk in joined if pk in people),
        "left": sorted(people[pk].email for pk in left if pk in people),
    }
    parts = [f"{what}: {', '.join(who)}" for what, who in names.items() if who]
    actor = _actor.get()
    audit_record(
        actor=actor,
        action=AuditAction.COMMITTEE_CHANGED,
        call=call,
        detail="Opening committee " + "; ".join(parts),
    )
    event = uuid.uuid4().hex
    context = {"call": call, "joined": names["joined"], "left": names["left"], "actor": actor}
    for pk in sorted(joined | left):
        person = people.get(pk)
        if person is None:
            continue
        outbox_enqueue(
            to=person.email,
            language=person.language,
            template="applications/emails/committee_changed",
            context={**context, "you_joined": pk in joined, "you_left": pk in left},
            dedupe_key=f"committee:{event}:{pk}",
        )
    tell_oversight("applications/emails/committee_changed", context, f"committee:{event}")


def tell_oversight(template: str, context: dict, key: str) -> None:
    """The same notice to the oversight address, when one is set."""
    if settings.OPENING_OVERSIGHT_EMAIL:
        outbox_enqueue(
            to=settings.OPENING_OVERSIGHT_EMAIL,
            template=template,
            context={**context, "oversight": True},
            dedupe_key=f"{key}:oversight",
        )


def on_opening_key_saved(sender, instance, created, **kwargs) -> None:
    """A new opening key is on the record too: audited, and its owner and the oversight
    address told. A key made for someone by another (a shell inserting rows) can later
    confirm an opening in their name; its owner hears of it at once."""
    if not created:
        return
    user = instance.user
    audit_record(
        actor=None,
        action=AuditAction.OPENING_KEY_MADE,
        detail=f"Opening key {instance.fingerprint} made for {user.email}",
    )
    context = {"owner": user.email, "fingerprint": instance.fingerprint}
    outbox_enqueue(
        to=user.email,
        language=user.language,
        template="applications/emails/opening_key_made",
        context=context,
        dedupe_key=f"opening-key:{instance.pk}",
    )
    tell_oversight("applications/emails/opening_key_made", context, f"opening-key:{instance.pk}")
