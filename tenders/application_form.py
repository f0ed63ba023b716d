"""A call's application form read as plain questions, in the reader's language.

The form is the call's ``application_form`` StreamField (``tenders.form_blocks``).
Its structure (which questions, their kinds and rules, the choices an answer is
stored as) is always the original call's; a live Swahili translation lends only
its words, matched by the block's id, so a question keeps its identity and its
answers whichever language the applicant reads in.
"""

from dataclasses import dataclass, field

SECTION = "section"
CHOICE_KINDS = ("single_choice", "multiple_choice")


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    label: str
    help_text: str = ""
    required: bool = False
    identifies_applicant: bool = False
    word_limit: int | None = None
    # The choices as stored (the original's words) and as shown (the reader's).
    choices: tuple[str, ...] = ()
    choice_labels: tuple[str, ...] = ()
    required_answer: str = ""
    max_lines: int = 20

    @property
    def field_name(self) -> str:
        return f"q_{self.id}"

    @property
    def shown_choices(self) -> list[tuple[str, str]]:
        return list(zip(self.choices, self.choice_labels or self.choices, strict=False))


@dataclass
class Section:
    id: str
    heading: str = ""
    guidance: str = ""
    questions: list[Question] = field(default_factory=list)


def _words(call) -> dict:
    """The block values whose words the reader sees, by block id."""
    text = getattr(call, "text", call)
    if text is call:
        return {}
    return {child.id: child.value for child in text.application_form}


def form_sections(call) -> list[Section]:
    """The call's form in order, as sections of questions; questions before the first
    heading form an untitled section."""
    words = _words(call)
    sections: list[Section] = []
    for child in call.application_form:
        value = child.value
        shown = words.get(child.id, value)
        if child.block_type == SECTION:
            sections.append(
                Section(id=child.id, heading=shown["heading"], guidance=shown["guidance"])
            )
            continue
        if not sections:
            sections.append(Section(id=""))
        choices = tuple(value["choices"]) if child.block_type in CHOICE_KINDS else ()
        labels = tuple(shown["choices"]) if choices else ()
        if len(labels) != len(choices):
            labels = choices
        sections[-1].questions.append(
            Question(
                id=child.id,
                kind=child.block_type,
                label=shown["label"],
                help_text=shown["help_text"],
                required=bool(value["required"]),
                identifies_applicant=bool(value["identifies_applicant"]),
                word_limit=value.get("word_limit"),
                choices=choices,
                choice_labels=labels,
                required_answer=value.get("required_answer") or "",
                max_lines=value.get("max_lines") or 20,
            )
        )
    return sections


def form_questions(call) -> list[Question]:
    return [question for section in form_sections(call) for question in section.questions]
