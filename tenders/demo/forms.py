"""The demo grant call's application form: about fifteen questions in four sections,
with an eligibility question and a budget table (issue 22). Block ids are fixed so
that the demo's applications can answer them."""


def _question(kind, qid, label, help_text="", *, required=True, identifies=False, **rules):
    value = {
        "label": label,
        "help_text": help_text,
        "required": required,
        "identifies_applicant": identifies,
        **rules,
    }
    return {"type": kind, "id": qid, "value": value}


def _section(sid, heading, guidance=""):
    return {"type": "section", "id": sid, "value": {"heading": heading, "guidance": guidance}}


GRANT_FORM = [
    _section(
        "demo-s-network",
        "About your network",
        "Reviewers score this call blind: answers marked as identifying you are hidden from them.",
    ),
    _question("short_answer", "demo-q-name", "Name of your network", identifies=True),
    _question(
        "eligibility",
        "demo-q-registered",
        "Is your network registered, or hosted by a registered organisation?",
        "Only registered networks, or networks with a fiscal host, can receive a grant.",
        required_answer="yes",
    ),
    _question(
        "single_choice",
        "demo-q-country",
        "Where is your network based?",
        choices=["Kenya", "Uganda", "Tanzania", "Rwanda", "Burundi"],
    ),
    _question("number", "demo-q-members", "How many defenders belong to the network?"),
    _question("date", "demo-q-founded", "When did the network start its work?", required=False),
    _section("demo-s-work", "Your work and this grant"),
    _question(
        "long_answer",
        "demo-q-risks",
        "What risks do the network's members face?",
        "Threats, attacks, surveillance: what has happened in the last two years.",
        word_limit=300,
    ),
    _question(
        "long_answer",
        "demo-q-plan",
        "What will you do with the grant?",
        "Activities, who takes part, and when.",
        word_limit=500,
    ),
    _question(
        "multiple_choice",
        "demo-q-areas",
        "Which kinds of support does the plan include?",
        choices=[
            "Security planning",
            "Psychosocial support",
            "Rapid response",
            "Legal aid",
            "Digital security",
        ],
    ),
    _question(
        "yes_no",
        "demo-q-women",
        "Does the plan reach women defenders in particular?",
    ),
    _question(
        "long_answer",
        "demo-q-after",
        "What will remain after the twelve months?",
        word_limit=200,
    ),
    _section("demo-s-budget", "Budget", "In US dollars."),
    _question(
        "budget",
        "demo-q-budget",
        "Your budget",
        "One line per item: what it is, how many, and the cost of one.",
        max_lines=15,
    ),
    _question(
        "amount",
        "demo-q-other-funds",
        "Other funding for the same work",
        "From other donors, if any; 0 if none.",
        required=False,
    ),
    _section("demo-s-contact", "Contact"),
    _question("short_answer", "demo-q-contact", "Contact person", identifies=True),
    _question("email", "demo-q-email", "Contact email address", identifies=True),
    _question(
        "phone",
        "demo-q-phone",
        "Contact phone number",
        "A number that is safe to call.",
        identifies=True,
        required=False,
    ),
]

# What two demo networks answered (question id: answer).
GRANT_ANSWERS = {
    "consultancy@zabuni.local": {
        "demo-q-name": "Pwani Defenders Network",
        "demo-q-registered": "yes",
        "demo-q-country": "Kenya",
        "demo-q-members": "48",
        "demo-q-founded": "2019-03-01",
        "demo-q-risks": "Members documenting land evictions on the coast have been "
        "followed, and two had their phones taken at a police station.",
        "demo-q-plan": "Security planning workshops for 48 members in Kilifi and Kwale, "
        "and a rapid response fund for relocation.",
        "demo-q-areas": ["Security planning", "Rapid response"],
        "demo-q-women": "yes",
        "demo-q-after": "A tested security plan for each chapter and six trained trainers.",
        "demo-q-budget": [
            ["Security workshops (3 days)", "4", "1200"],
            ["Rapid response fund", "1", "3500"],
            ["Trainers' travel", "6", "150"],
        ],
        "demo-q-other-funds": "0",
        "demo-q-contact": "Peter Ouma",
        "demo-q-email": "consultancy@zabuni.local",
        "demo-q-phone": "+254 712 000 111",
    },
    "mshauri@zabuni.local": {
        "demo-q-name": "Ziwa Women Defenders",
        "demo-q-registered": "no",
        "demo-q-country": "Uganda",
        "demo-q-members": "22",
        "demo-q-risks": "Women defenders around the lake are threatened by local "
        "officials after reporting on fishing licences.",
        "demo-q-plan": "Peer counselling circles and a hotline staffed by trained members.",
        "demo-q-areas": ["Psychosocial support"],
        "demo-q-women": "yes",
        "demo-q-after": "Twelve trained peer counsellors.",
        "demo-q-budget": [
            ["Counselling circles", "12", "300"],
            ["Hotline phone and airtime", "1", "900"],
        ],
        "demo-q-contact": "Fatuma Said",
        "demo-q-email": "mshauri@zabuni.local",
    },
}
