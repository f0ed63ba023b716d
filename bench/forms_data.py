"""The application forms the benchmarks of bench_forms.py answer: questions of every
kind, their answers, and the open grant call and drafts that hold them."""

MB = 1024 * 1024
AUTOSAVE_TARGET = 0.3  # autosave's rate / the bare view's, at least
WORKBOOK_TARGET = 1.5  # sheet_build's time / raw openpyxl's, at most

# The kinds of question, in the order a form of n questions takes them (a short form
# still has choices and a budget table).
KINDS = (
    "short_answer",
    "single_choice",
    "budget",
    "long_answer",
    "multiple_choice",
    "number",
    "amount",
    "yes_no",
    "date",
    "email",
    "phone",
    "eligibility",
)
TEXT_KINDS = ("short_answer", "long_answer")  # the answers autosave changes, in turn
CHOICES = ["Nairobi", "Kisumu", "Mombasa", "Nakuru", "Garissa"]
LONG_ANSWER = (
    "We visit remand prisons in the county every month and keep a register of every "
    "detainee who has waited more than six months for a hearing. Our paralegals explain "
    "bail and plea to the detainees, help them write to the court, and follow each case "
    "until it is heard. The grant would pay for two more paralegals and their travel."
)


# --- The form and its answers --------------------------------------------------


def form_blocks(questions: int) -> list[dict]:
    """A form of ``questions`` questions as the StreamField's JSON: a section heading
    every ten questions, the kinds in turn, every question required."""
    blocks = []
    for n in range(questions):
        if n % 10 == 0:
            part = n // 10 + 1
            blocks.append(
                {
                    "type": "section",
                    "id": f"s{part}",
                    "value": {"heading": f"Part {part}", "guidance": "Answer every question."},
                }
            )
        kind = KINDS[n % len(KINDS)]
        value = {
            "label": f"Question {n + 1}: {kind.replace('_', ' ')}",
            "help_text": "As it stands on the day you apply.",
            "required": True,
            "identifies_applicant": n == 0,
        }
        if kind == "long_answer":
            value["word_limit"] = 500
        elif kind in ("single_choice", "multiple_choice"):
            value["choices"] = CHOICES
        elif kind == "budget":
            value["max_lines"] = 10
        elif kind == "eligibility":
            value["required_answer"] = "yes"
        blocks.append({"type": kind, "id": f"q{n + 1:03d}", "value": value})
    return blocks


def questions_of(blocks: list[dict]) -> list[dict]:
    return [block for block in blocks if block["type"] != "section"]


def answer_value(kind: str, bid: int):
    """A valid answer of ``kind``, a little different for each bid."""
    return {
        "short_answer": f"Haki Mashinani Trust No {bid}",
        "long_answer": f"{LONG_ANSWER} Bid {bid}.",
        "number": str(3 + bid % 20),
        "amount": str(50_000 + 250 * (bid % 200)),
        "single_choice": CHOICES[bid % len(CHOICES)],
        "multiple_choice": [CHOICES[bid % len(CHOICES)], CHOICES[(bid + 2) % len(CHOICES)]],
        "yes_no": "yes" if bid % 3 else "no",
        "date": f"2026-{1 + bid % 12:02d}-{1 + bid % 28:02d}",
        "email": f"office{bid}@haki.example",
        "phone": f"+254 712 {bid % 1000:03d} 678",
        "budget": [
            ["Prison visits", str(10 + bid % 5), "2500"],
            ["Paralegal fees", "12", "30000"],
            ["Court filing", "4", "1200.50"],
        ],
        "eligibility": "yes",
    }[kind]


def answers_for(blocks: list[dict], bid: int) -> dict:
    return {q["id"]: answer_value(q["type"], bid) for q in questions_of(blocks)}


def store_answers(submission_ids: list[int], blocks: list[dict], first: int = 0) -> int:
    """Every question answered on each submission (bid number ``first``, then on)."""
    from applications.models import Answer

    rows = Answer.objects.bulk_create(
        (
            Answer(submission_id=sid, question_id=qid, value=value, pending=False)
            for n, sid in enumerate(submission_ids, start=first)
            for qid, value in answers_for(blocks, n).items()
        ),
        batch_size=5000,
    )
    return len(rows)


def form_fields(blocks: list[dict], answers: dict) -> list[tuple[str, str]]:
    """The fields the bid page's script posts: every question's, as the page shows them
    (the budget's empty lines included, only the checked choices)."""
    fields = [("answers_form", "1")]
    for q in questions_of(blocks):
        name, value = f"q_{q['id']}", answers[q["id"]]
        if q["type"] == "multiple_choice":
            fields += [(name, choice) for choice in value]
        elif q["type"] == "budget":
            room = min(q["value"]["max_lines"], max(len(value) + 2, 3))
            for n in range(room):
                item, quantity, cost = value[n] if n < len(value) else ("", "", "")
                fields += [
                    (f"{name}-item-{n}", item),
                    (f"{name}-quantity-{n}", quantity),
                    (f"{name}-cost-{n}", cost),
                ]
        else:
            fields.append((name, value))
    return fields


# --- Calls and bids --------------------------------------------------------------


def open_grant_call(index, blocks):
    from tests.factories import make_call

    return make_call(index, kind="grant", application_form=blocks)


def applicant(n: int):
    from accounts.models import Profile, User

    user = User.objects.create(
        email=f"applicant{n}@ngos.example", first_name=f"Amani{n}", last_name="Odhiambo"
    )
    Profile.objects.create(user=user, legal_name=f"Haki Mashinani Trust No {n}")
    return user


def draft_with_answers(call, user, blocks, n: int):
    from applications.services.submissions import submission_start

    submission = submission_start(call=call, applicant=user)
    store_answers([submission.pk], blocks, first=n)
    return submission


# --- 1. The bid page ---------------------------------------------------------------
