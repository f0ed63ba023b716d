"""The throwaway site's side of ``bench_opening.py``, run by it in a subprocess with
the site's environment (the portal's settings, its private storage):

    python bench/opening_phases.py create BIDS SIZE_BYTES
    python bench/opening_phases.py measure REPEAT

``create`` gives the open demo call its bids, each file sealed to the call's key as the
portal stores it; ``measure`` rebuilds the call's key, times the opening's re-sealing
and the read passes. Each prints one line of JSON.
"""

import hashlib
import io
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MB = 1024 * 1024
CHUNK = 64 * 1024
OPEN_CALL = "DC-CFC-2026-004"
DOCUMENT = "Technical proposal"


class GeneratedPdf(io.RawIOBase):
    """``size`` bytes starting as a PDF, unique to ``number``, made as they are read
    (a header, random filler, a trailer) and hashed as they are read."""

    TAIL = b"\n%%EOF\n"

    def __init__(self, number: int, size: int, filler: bytes):
        super().__init__()
        self.head = b"%%PDF-1.7\n%% bid %d of the opening benchmark\n" % number
        if size < len(self.head) + len(self.TAIL):
            raise ValueError("the file is too small")
        self.size, self.filler = size, filler
        self.seek(0)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if (offset, whence) != (0, io.SEEK_SET):
            raise io.UnsupportedOperation("only a rewind")
        self.pos, self.digest = 0, hashlib.sha256()
        return 0

    def _byte_range(self, start: int, end: int) -> bytes:
        out = bytearray()
        body_end = self.size - len(self.TAIL)
        while start < end:
            if start < len(self.head):
                piece = self.head[start : min(end, len(self.head))]
            elif start >= body_end:
                piece = self.TAIL[start - body_end : end - body_end]
            else:
                offset = (start - len(self.head)) % len(self.filler)
                piece = self.filler[offset : offset + min(end, body_end) - start]
            out += piece
            start += len(piece)
        return bytes(out)

    def read(self, size: int = -1) -> bytes:
        end = self.size if size is None or size < 0 else min(self.size, self.pos + size)
        piece = self._byte_range(self.pos, end)
        self.pos = end
        self.digest.update(piece)
        return piece

    def readinto(self, target) -> int:
        piece = self.read(len(target))
        target[: len(piece)] = piece
        return len(piece)


def status(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


class Peak:
    """The peak RSS of this process over a phase, above its RSS at the start: VmHWM,
    reset first (``/proc/self/clear_refs``)."""

    def __enter__(self):
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        self.before = status("VmRSS")
        return self

    def __exit__(self, *exc):
        self.growth = max(status("VmHWM") - self.before, 0)


def phase_create(bids: int, size: int) -> dict:
    """The call's bids, each with one file sealed to the call's key as the portal
    stores it, and its price sealed too."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db.models import Max
    from django.utils import timezone

    from applications.choices import SubmissionStatus
    from applications.models import Submission, SubmissionFile
    from applications.models.submissions import new_object_name
    from applications.sealed_files import binding, store_sealed
    from applications.services.amounts import apply_amounts, stored_amounts
    from applications.services.call_keys import sealing_key_for
    from tenders.models import CallPage, RequiredDocument

    call = CallPage.objects.get(reference_code=OPEN_CALL)
    key = sealing_key_for(call.pk)
    if key is None:
        sys.exit(f"{OPEN_CALL} is not keyed")
    requirement = RequiredDocument.objects.get(page=call, name=DOCUMENT)
    user_model = get_user_model()
    applicants = user_model.objects.bulk_create(
        user_model(
            email=f"bidder-{n}@opening-bench.invalid",
            first_name="Bidder",
            last_name=str(n),
            password=make_password(None),
        )
        for n in range(bids)
    )
    first = (Submission.objects.filter(call=call).aggregate(n=Max("number"))["n"] or 0) + 1
    filler = random.Random(23).randbytes(MB)
    storing = 0.0
    with Peak() as peak:
        for n, applicant in enumerate(applicants, start=first):
            submission = Submission.objects.create(
                call=call,
                applicant=applicant,
                status=SubmissionStatus.SUBMITTED,
                number=n,
                reference=f"{OPEN_CALL}-B{n:05d}",
                offer_amount=Decimal(1_000_000 + n) if call.has_financial_envelope else None,
                offer_currency=call.currency if call.has_financial_envelope else "",
                submitted_at=timezone.now(),
            )
            if apply_amounts(submission, stored_amounts(submission)):
                submission.save()
            # The file's SHA-256 first (the portal knows it before storing: the file is
            # bound to its bid and fingerprint), outside the time measured.
            first_pass = GeneratedPdf(n, size, filler)
            while first_pass.read(MB):
                pass
            sha256 = first_pass.digest.hexdigest()
            plain = GeneratedPdf(n, size, filler)
            began = time.perf_counter()
            name, sealed_key = store_sealed(
                plain,
                object_name=new_object_name(call.pk),
                call_public_key=key.public_key,
                bound_to=binding(submission.pk, sha256),
            )
            storing += time.perf_counter() - began
            if plain.pos != size:
                sys.exit("store_sealed did not read the whole file")
            SubmissionFile.objects.create(
                call_key=key,
                sealed_key=sealed_key,
                submission=submission,
                requirement=requirement,
                document_name=requirement.name,
                envelope=requirement.envelope,
                object_name=name,
                original_name=f"Technical proposal {n}.pdf",
                content_type="application/pdf",
                size=size,
                sha256=plain.digest.hexdigest(),
            )
    return {"bids": bids, "store_seconds": storing, "growth": peak.growth}


def phase_measure(repeat: int) -> dict:
    """The key rebuilt, (a) the re-sealing, then (b) and (c) in turns."""
    from django.db import transaction

    from accounts.demo import DEMO_OPENING_PASSPHRASE
    from applications.demo import demo_call_private
    from applications.models import Submission, SubmissionFile
    from applications.sealed_files import plaintext_chunks
    from applications.services.key_opening import items_open_for_panel
    from core.storage import private_storage
    from tenders.models import CallPage

    call = CallPage.objects.get(reference_code=OPEN_CALL)
    storage = private_storage()
    out = {}

    began = time.perf_counter()
    private = demo_call_private(call, DEMO_OPENING_PASSPHRASE)
    out["rebuild_seconds"] = time.perf_counter() - began
    if private is None:
        sys.exit("the call's key was not rebuilt")

    def without_crypto():
        """The opening's database work without the cryptography: the same rows read
        and written back (a value of the same size); rolled back."""
        with transaction.atomic():
            items = list(
                SubmissionFile.objects.filter(
                    submission__call=call, call_key__isnull=False, server_key__isnull=True
                ).only("pk", "sealed_key", "call_key_id")
            )
            priced = list(Submission.objects.filter(call=call, sealed_amounts__isnull=False))
            for item in items:
                item.server_key = os.urandom(72)  # a data key in a SecretBox: 24 + 32 + 16
            SubmissionFile.objects.bulk_update(items, ["server_key"], batch_size=500)
            Submission.objects.bulk_update(
                priced,
                ["offer_amount", "offer_currency", "amount_requested", "sealed_amounts"],
                batch_size=500,
            )
            transaction.set_rollback(True)
        return len(items), len(priced)

    def opening(keep: bool):
        """(a): what ``call_open`` runs in its transaction; rolled back but the last time."""
        with transaction.atomic():
            opened = items_open_for_panel(call, private)
            transaction.set_rollback(not keep)
        return opened

    # Both take turns, the first run of each warming the queries; the median is reported.
    open_times, plain_times = [], []
    for round_ in range(repeat):
        last = round_ == repeat - 1  # the opening is kept: the plain run goes first
        for name in ("plain", "open") if round_ % 2 == 0 or last else ("open", "plain"):
            began = time.perf_counter()
            if name == "plain":
                files, priced = without_crypto()
                plain_times.append(time.perf_counter() - began)
            else:
                opened = opening(keep=last)
                open_times.append(time.perf_counter() - began)
    out.update(
        opened_items=opened,
        priced=priced,
        open_seconds=statistics.median(open_times),
        plain_update_seconds=statistics.median(plain_times),
        open_times=open_times,
        plain_update_times=plain_times,
    )
    if opened != files:
        sys.exit(f"the opening re-sealed {opened} files, not {files}")

    items = list(SubmissionFile.objects.filter(submission__call=call, call_key__isnull=False))
    if any(item.server_key is None for item in items):
        sys.exit("an item was not opened")
    out["files"] = len(items)
    out["plain_bytes"] = sum(item.size for item in items)
    out["stored_bytes"] = sum(storage.size(item.object_name) for item in items)

    def raw(hashing: bool):
        def read_all():
            total = 0
            for item in items:
                digest = hashlib.sha256()
                with storage.open(item.object_name, "rb") as stored:
                    while chunk := stored.read(CHUNK):
                        total += len(chunk)
                        if hashing:
                            digest.update(chunk)
            return total

        return read_all

    def decrypted():
        total = 0
        for item in items:
            size = 0
            for chunk in plaintext_chunks(item):  # SealBroken on any mismatch
                size += len(chunk)
            if size != item.size:
                sys.exit(f"{item.object_name} decrypted to {size} bytes, not {item.size}")
            total += size
        return total

    passes = {"raw": raw(False), "raw_sha256": raw(True), "decrypted": decrypted}
    expected = {"raw": out["stored_bytes"], "raw_sha256": out["stored_bytes"]}
    expected["decrypted"] = out["plain_bytes"]
    times = {name: [] for name in passes}
    growth = {name: 0 for name in passes}
    order = list(passes)
    for round_ in range(repeat):
        for name in order[round_ % 3 :] + order[: round_ % 3]:  # each takes turns first
            with Peak() as peak:
                began = time.perf_counter()
                total = passes[name]()
                times[name].append(time.perf_counter() - began)
            growth[name] = max(growth[name], peak.growth)
            if total != expected[name]:
                sys.exit(f"the {name} pass read {total} bytes, not {expected[name]}")
    out["times"] = times
    out["medians"] = {name: statistics.median(t) for name, t in times.items()}
    out["growth"] = growth
    return out


def main():
    import django

    django.setup()
    phase, number = sys.argv[1], int(sys.argv[2])
    if phase == "create":
        result = phase_create(number, int(sys.argv[3]))
    else:
        result = phase_measure(number)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
