"""The audit trail as a hash chain: any rewrite of history is detectable.

Each event, once its transaction has committed, gets the next position
(``seq``), the previous event's hash and its own hash: SHA-256 over its
canonical content and the previous hash. ``manage.py verify_audit`` recomputes
the chain. A database trigger (migration 0003) refuses UPDATE and DELETE on the
table, except this one setting of the chain columns on an unchained event.

Chaining happens after commit, not inside the event's transaction, so that
bids submitted at once do not queue behind one chain lock (issue 8): events
are linked in the order they committed, under a lock only the chaining takes.
The head (position and hash) is written down outside the database: on each
receipt (page and e-mail), in each register, and in a daily mail to the opening
committees. A head kept there is a checkpoint: ``verify_audit --checkpoint``
fails unless the chain still passes through it, so even the database's owner,
who can switch the triggers off and recompute every hash, cannot rewrite what
came before a checkpoint without it showing.
"""

import hashlib
import json
import re
from dataclasses import dataclass

from django.db import connection, models, transaction

from applications.models import AuditEvent
from applications.models.audit import details_digest, erased_on_record, is_erased

GENESIS = "0" * 64
# A PostgreSQL advisory lock key for "the audit chain": two chainers never interleave.
CHAIN_LOCK = 0x7A61_6275  # "zabu"


def _encoded(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def _what_happened(event: AuditEvent, *, seq: int, prev_hash: str) -> dict:
    """What both forms cover: the event's place in the chain, and who did what when."""
    return {
        "seq": seq,
        "prev": prev_hash,
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "action": event.action,
        "call": event.call_id,
        "submission": event.submission_id,
        "file": str(event.file_id) if event.file_id else None,
    }


def canonical(event: AuditEvent, *, seq: int, prev_hash: str) -> bytes:
    """The bytes an event's hash covers: every column but the hash itself, the personal
    details through their salted hash (so they can be erased and the chain still
    checks), and the hash an event had before that change (which old checkpoints name).
    """
    if not event.details_hash:
        return canonical_v1(event, seq=seq, prev_hash=prev_hash)
    return _encoded(
        {
            **_what_happened(event, seq=seq, prev_hash=prev_hash),
            "v": 2,
            "details": event.details_hash,
            "legacy": event.legacy_hash or None,
        }
    )


def canonical_v1(event: AuditEvent, *, seq: int, prev_hash: str) -> bytes:
    """The first form, with the personal details in the clear: events chained before
    details could be erased (migration 0023 moved them to the form above)."""
    return _encoded(
        {
            **_what_happened(event, seq=seq, prev_hash=prev_hash),
            "file_name": event.file_name,
            "ip": event.ip_address,
            "detail": event.detail,
        }
    )


def event_hash(event: AuditEvent, *, seq: int, prev_hash: str) -> str:
    return hashlib.sha256(canonical(event, seq=seq, prev_hash=prev_hash)).hexdigest()


@dataclass(frozen=True)
class ChainHead:
    seq: int
    hash: str

    def __str__(self):
        return f"#{self.seq} {self.hash}"


CHECKPOINT = re.compile(r"#?(\d+)(?:\s*:\s*|\s+)([0-9a-fA-F]{64})")


def parse_checkpoint(text: str) -> ChainHead:
    """A head as written down: ``#12 <hash>`` (as printed) or ``12:<hash>``."""
    match = CHECKPOINT.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text.strip()!r} is not a checkpoint: write #<position> <hash>.")
    return ChainHead(seq=int(match[1]), hash=match[2].lower())


def checkpoints_off_the_chain(checkpoints) -> list[ChainHead]:
    """The checkpoints whose position does not hold that hash (or is past the head).

    A checkpoint written before migration 0023 names the event's hash of then, which
    the event keeps (``legacy_hash``) under its present hash. That old chain is
    recomputed up to the checkpoint, so that an event rewritten before it shows, as it
    did then: each event's first hash from its content and the one before; an event
    whose details were erased since (on the record, ``audit_details_erase``) keeps its
    link, its content no longer being there to hash."""
    wanted = {c.seq for c in checkpoints}
    rows = AuditEvent.objects.filter(seq__in=wanted).values_list("seq", "hash", "legacy_hash")
    current = {seq: now for seq, now, _legacy in rows}
    legacy = {seq: old for seq, _now, old in rows if old}
    off = []
    for c in checkpoints:
        if current.get(c.seq) == c.hash:
            continue
        if legacy.get(c.seq) != c.hash or not _legacy_chain_holds(up_to=c.seq):
            off.append(c)
    return off


def _legacy_chain_holds(*, up_to: int) -> bool:
    prev = GENESIS
    events = AuditEvent.objects.filter(seq__isnull=False, seq__lte=up_to).order_by("seq")
    for event in events.iterator(chunk_size=2000):
        if not event.legacy_hash:
            return False
        if event.details_erased_at is None:
            first = hashlib.sha256(canonical_v1(event, seq=event.seq, prev_hash=prev))
            if first.hexdigest() != event.legacy_hash:
                return False
        prev = event.legacy_hash
    return True


def audit_chain_head() -> ChainHead | None:
    last = (
        AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").values("seq", "hash").first()
    )
    return ChainHead(**last) if last else None


def _lock_chain() -> None:
    """Serialise chainers: an advisory lock on PostgreSQL; SQLite has one writer."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def audit_chain_extend(*, limit: int = 1000) -> int:
    """Link every committed, unchained event into the chain, oldest first; the count."""
    with transaction.atomic():
        _lock_chain()
        head = audit_chain_head()
        seq, prev_hash = (head.seq, head.hash) if head else (0, GENESIS)
        pending = list(AuditEvent.objects.filter(seq__isnull=True).order_by("pk")[:limit])
        for event in pending:
            seq += 1
            digest = event_hash(event, seq=seq, prev_hash=prev_hash)
            # The one change the trigger allows: chain columns, once.
            models.QuerySet.update(
                AuditEvent.objects.filter(pk=event.pk, seq__isnull=True),
                seq=seq,
                prev_hash=prev_hash,
                hash=digest,
            )
            prev_hash = digest
    return len(pending)


@dataclass(frozen=True)
class Verdict:
    checked: int
    unchained: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def audit_chain_verify() -> Verdict:
    """Recompute the chain from the start; name the first event that does not fit."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    erasures = erased_on_record()
    events = AuditEvent.objects.filter(seq__isnull=False).order_by("seq")
    for event in events.iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return Verdict(checked, 0, event.seq, f"position {expected_seq} is missing")
        if event.prev_hash != prev_hash:
            return Verdict(checked, 0, event.seq, "it does not point at the event before it")
        if event.hash != event_hash(event, seq=event.seq, prev_hash=prev_hash):
            return Verdict(checked, 0, event.seq, "its content does not match its hash")
        if (
            event.details_hash
            and event.details_erased_at is None
            and event.details_hash != details_digest(event)
        ):
            return Verdict(checked, 0, event.seq, "its details do not match their hash")
        if event.details_erased_at is not None:
            if not is_erased(event):
                return Verdict(checked, 0, event.seq, "it is marked erased but has details")
            if event.pk not in erasures:
                return Verdict(
                    checked, 0, event.seq, "its details were erased with no record of it"
                )
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    unchained = AuditEvent.objects.filter(seq__isnull=True).count()
    return Verdict(checked, unchained)
