"""The body of bench_fanout.py, run with the portal's settings in a throwaway site.

    python bench/fanout_run.py RECIPIENTS SMTP_PORT

Prints one JSON line: the raw smtplib loop's time, the outbox's enqueue and
delivery times, and the window between the relay's acceptance and the sent mark.
"""

import json
import os
import smtplib
import statistics
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

django.setup()

from django.db import transaction  # noqa: E402

import notifications.delivery as delivery  # noqa: E402
from accounts.models import User  # noqa: E402
from notifications.models import OutboxMessage, OutboxState  # noqa: E402
from notifications.services import outbox_enqueue  # noqa: E402

count, port = int(sys.argv[1]), int(sys.argv[2])

users = User.objects.bulk_create(
    User(email=f"person{n}@example.org", first_name="Amani", last_name=f"Otieno {n}")
    for n in range(count)
)
users = list(User.objects.order_by("pk")[:count])


def raw_loop(sample: OutboxMessage, run: int) -> float:
    """The same message, built with the standard library and sent over one connection."""
    began = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for n in range(count):
            message = EmailMessage()
            message["From"] = "Zabuni <no-reply@zabuni.local>"
            message["To"] = f"person{n}@example.org"
            message["Subject"] = sample.subject
            message["Message-ID"] = f"<raw-{run}-{n}@zabuni.local>"
            message.set_content(sample.body_text)
            message.add_alternative(sample.body_html, subtype="html")
            smtp.send_message(message)
    return time.perf_counter() - began


# Enqueue: one notice per recipient, in one transaction, as a call-wide notice does.
began = time.perf_counter()
with transaction.atomic():
    for user in users:
        outbox_enqueue(
            to=user.email,
            template="accounts/emails/verify_email",
            context={"user": user, "verify_url": "http://127.0.0.1:8000/account/verify/x/"},
            dedupe_key=f"bench:{user.pk}",
        )
enqueue_seconds = time.perf_counter() - began

sample = OutboxMessage.objects.first()
raw_first = raw_loop(sample, 1)

# The window: from the relay's acceptance (send() returned) to the committed sent mark.
windows = []
record_sent = delivery.outbox_record_sent


def timed_record_sent(message):
    began = time.perf_counter()
    record_sent(message)
    windows.append(time.perf_counter() - began)


delivery.outbox_record_sent = timed_record_sent
ids = list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True))
began = time.perf_counter()
sent = 0
if os.environ.get("FANOUT_PROFILE"):
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
for start in range(0, len(ids), 200):  # the task's batches: one connection each
    sent += delivery.outbox_deliver_many(ids[start : start + 200])
outbox_seconds = time.perf_counter() - began
if os.environ.get("FANOUT_PROFILE"):
    profiler.disable()
    profiler.dump_stats(os.environ["FANOUT_PROFILE"])
raw_second = raw_loop(sample, 2)

print(
    json.dumps(
        {
            "recipients": count,
            "sent": sent,
            "all_sent": OutboxMessage.objects.exclude(state=OutboxState.SENT).count() == 0,
            "enqueue_s": enqueue_seconds,
            "outbox_s": outbox_seconds,
            "raw_s": [raw_first, raw_second],
            "window_ms": {
                "p50": statistics.median(windows) * 1000,
                "p99": sorted(windows)[int(0.99 * (len(windows) - 1))] * 1000,
                "max": max(windows) * 1000,
            },
        }
    )
)
