"""Demo calls, written for Zabuni. Dates are relative to the day the loader runs."""

from datetime import timedelta
from decimal import Decimal

from tenders.demo.forms import GRANT_FORM


def _p(*paragraphs):
    return "".join(f"<p>{text}</p>" for text in paragraphs)


def _deliverables(*items):
    return [{"title": t, "description": d, "due": due} for t, d, due in items]


def _table(rows):
    return {
        "data": rows,
        "first_row_is_table_header": True,
        "first_col_is_header": False,
        "table_caption": "",
    }


GENDER_TRAINING_TOR = [
    {"type": "heading", "value": "Background"},
    {
        "type": "paragraph",
        "value": _p(
            "The Coalition is the national network of human rights defenders (HRDs). "
            "Since 2007 it has worked for the safety, security and wellbeing of defenders, "
            "through protection grants, legal aid, training and advocacy.",
            "Women human rights defenders and defenders working on sexual and gender-based "
            "violence face risks that ordinary monitoring tools miss: threats from within "
            "families and communities, stigma, online harassment and sexual violence used "
            "as reprisal. Our member networks have asked for practical training so that "
            "what they document is accurate, safe for survivors and usable in advocacy "
            "and in court.",
        ),
    },
    {"type": "heading", "value": "Objective"},
    {
        "type": "paragraph",
        "value": _p(
            "To strengthen the capacity of 30 defenders from six counties to monitor, "
            "document and report human rights violations from a gender perspective, "
            "following survivor-centred and do-no-harm principles."
        ),
    },
    {"type": "heading", "value": "Scope of work"},
    {
        "type": "paragraph",
        "value": "<ul><li>Design a three-day training curriculum with practical exercises "
        "drawn from cases our members have handled.</li><li>Deliver two cohorts, in Nairobi "
        "and Kisumu.</li><li>Produce a short field guide, in English and Swahili, that "
        "participants can carry.</li><li>Mentor participants for six weeks after the "
        "training as they write their first reports.</li></ul>",
    },
    {
        "type": "deliverables",
        "value": _deliverables(
            ("Inception report", "Methodology, curriculum outline and work plan.", "Week 2"),
            ("Training curriculum and materials", "Facilitator notes and handouts.", "Week 4"),
            ("Two training cohorts delivered", "With attendance and evaluation.", "Week 8"),
            ("Field guide (English and Swahili)", "Print-ready, under 30 pages.", "Week 10"),
            ("Final report", "Lessons, mentoring outcomes and recommendations.", "Week 14"),
        ),
    },
    {"type": "heading", "value": "Timeline and budget"},
    {
        "type": "table",
        "value": _table(
            [
                ["Phase", "Duration", "Share of fee"],
                ["Inception and design", "4 weeks", "30%"],
                ["Delivery", "4 weeks", "40%"],
                ["Mentoring and reporting", "6 weeks", "30%"],
            ]
        ),
    },
    {"type": "heading", "value": "Required expertise"},
    {
        "type": "paragraph",
        "value": _p(
            "A postgraduate degree in law, gender studies, social sciences or a related "
            "field; at least seven years of experience in human rights monitoring or "
            "documentation; proven experience training adults; fluency in English and "
            "Swahili. Teams are welcome; the lead consultant must be named."
        ),
    },
]

GRANT_TOR = [
    {"type": "heading", "value": "What this grant is for"},
    {
        "type": "paragraph",
        "value": _p(
            "Community-based networks of defenders are the first to respond when a "
            "colleague is arrested, threatened or attacked, and the last to receive "
            "funding. This call offers grants of up to USD 10,000 for twelve months to "
            "strengthen the safety and wellbeing practices of such networks.",
            "We will fund, for example: security planning and safe-house arrangements, "
            "psychosocial support and peer-support circles, digital security for "
            "network coordinators, and rapid-response funds managed by the network.",
        ),
    },
    {"type": "heading", "value": "Who can apply"},
    {
        "type": "paragraph",
        "value": "<ul><li>Registered community-based organisations or informal networks "
        "with a registered fiscal host.</li><li>Working in Kenya, with at least one year "
        "of documented work with defenders.</li><li>Annual budget under USD 100,000."
        "</li></ul>",
    },
    {
        "type": "deliverables",
        "value": _deliverables(
            (
                "Narrative application",
                "Up to eight pages, using the template.",
                "With the application",
            ),
            ("Budget", "In the budget template, in USD.", "With the application"),
            ("Six-month report", "Short narrative and expenditure.", "Month 6"),
            ("Final report", "Narrative, financial report and lessons.", "Month 13"),
        ),
    },
]

UPCOMING_TOR = [
    {"type": "heading", "value": "Background"},
    {
        "type": "paragraph",
        "value": _p(
            "Member organisations hold sensitive case files about survivors and "
            "witnesses. We will commission independent digital security audits for "
            "twelve member organisations and help each to fix what the audit finds."
        ),
    },
    {
        "type": "deliverables",
        "value": _deliverables(
            ("Audit methodology", "Agreed with the Coalition before field work.", "Week 2"),
            ("Twelve audit reports", "Confidential, one per organisation.", "Week 10"),
            ("Remediation support", "Two days per organisation.", "Week 16"),
        ),
    },
]

SURVEY_TOR = [
    {"type": "heading", "value": "Background"},
    {
        "type": "paragraph",
        "value": _p(
            "Defenders tell us that fear of surveillance changes how they organise, whom "
            "they call and what they write down. We want a baseline survey that measures "
            "this across regions and sectors, to inform our advocacy on the right to "
            "privacy and our digital security programme."
        ),
    },
    {
        "type": "deliverables",
        "value": _deliverables(
            ("Inception report and tools", "Sampling, questionnaire and consent.", "Week 3"),
            ("Data collection", "At least 400 respondents in eight counties.", "Week 9"),
            ("Survey report", "With an executive summary in Swahili.", "Week 13"),
        ),
    },
]

REPORT_TOR = [
    {
        "type": "paragraph",
        "value": _p(
            "Design and layout of the Coalition's annual report, in print and "
            "accessible web formats, with infographics."
        ),
    }
]

STANDARD_CRITERIA = [
    ("Understanding of the assignment", "Grasp of the context and the objectives.", 20),
    ("Methodology and work plan", "Soundness, feasibility and safeguards.", 35),
    ("Qualifications and experience", "Of the lead consultant and the team.", 35),
    ("Gender and safeguarding approach", "Survivor-centred, do-no-harm practice.", 10),
]

GRANT_CRITERIA = [
    ("Relevance to defenders' safety", "How directly the work protects defenders.", 30),
    ("Track record of the network", "Work with defenders in the last two years.", 25),
    ("Feasibility and budget", "Realistic plan and value for money.", 25),
    ("Sustainability and learning", "What remains after the grant.", 20),
]

CONSULTANCY_DOCUMENTS = [
    ("Technical proposal", "technical", True, "pdf", 10),
    ("CVs of the team", "technical", True, "pdf", 10),
    ("Samples of previous work", "technical", False, "pdf,docx", 20),
    ("Financial proposal", "financial", True, "pdf,xlsx", 5),
]

GRANT_DOCUMENTS = [
    ("Narrative application", "technical", True, "pdf,docx", 10),
    ("Budget", "technical", True, "xlsx,pdf", 5),
    ("Registration certificate or fiscal host letter", "technical", True, "pdf", 5),
]


def demo_calls(now):
    """The demo calls, as dictionaries of page fields plus their inlines."""
    day = timedelta(days=1)
    return [
        {
            "slug": "training-monitoring-documentation-reporting-gender",
            "title": "Training on monitoring, documentation and reporting from a gender "
            "perspective",
            "kind": "consultancy",
            "reference_code": "DC-CFC-2026-004",
            "summary": "We seek a consultant or team to train 30 defenders on monitoring, "
            "documenting and reporting violations from a gender perspective, and to "
            "produce a bilingual field guide.",
            "terms_of_reference": GENDER_TRAINING_TOR,
            "opens_at": now - 7 * day,
            "closes_at": now + 18 * day,
            "clarifications_close_at": now + 11 * day,
            "budget_ceiling": Decimal("1500000"),
            "currency": "KES",
            "selection_method": "qcbs",
            "technical_weight": Decimal("0.80"),
            "financial_weight": Decimal("0.20"),
            "minimum_technical_score": Decimal("70"),
            "blind_review": False,
            "criteria": STANDARD_CRITERIA,
            "documents": CONSULTANCY_DOCUMENTS,
        },
        {
            "slug": "small-grants-defenders-networks-safety-wellbeing",
            "title": "Small grants for community defenders' networks: safety and wellbeing",
            "kind": "grant",
            "reference_code": "DC-GRT-2026-002",
            "summary": "Grants of up to USD 10,000 for twelve months to community-based "
            "networks of human rights defenders, for security planning, psychosocial "
            "support and rapid response.",
            "terms_of_reference": GRANT_TOR,
            "opens_at": now - 3 * day,
            "closes_at": now + 32 * day,
            "clarifications_close_at": now + 25 * day,
            "budget_ceiling": Decimal("10000"),
            "currency": "USD",
            "selection_method": "grant_scoring",
            "technical_weight": Decimal("1.00"),
            "financial_weight": Decimal("0.00"),
            "minimum_technical_score": Decimal("60"),
            "blind_review": True,
            "criteria": GRANT_CRITERIA,
            "documents": GRANT_DOCUMENTS,
            "application_form": GRANT_FORM,
        },
        {
            "slug": "digital-security-audits-member-organisations",
            "title": "Digital security audits for member organisations",
            "kind": "consultancy",
            "reference_code": "DC-CFC-2026-005",
            "summary": "Independent digital security audits, with follow-up support, for "
            "twelve member organisations that hold sensitive case files.",
            "terms_of_reference": UPCOMING_TOR,
            "opens_at": now + 9 * day,
            "closes_at": now + 40 * day,
            "clarifications_close_at": now + 30 * day,
            "budget_ceiling": Decimal("25000"),
            "currency": "EUR",
            "selection_method": "qbs",
            "technical_weight": Decimal("1.00"),
            "financial_weight": Decimal("0.00"),
            "minimum_technical_score": Decimal("70"),
            "blind_review": False,
            "criteria": STANDARD_CRITERIA,
            "documents": CONSULTANCY_DOCUMENTS,
        },
        {
            "slug": "baseline-survey-communication-surveillance-defenders",
            "title": "Baseline survey on communication surveillance and human rights defenders",
            "kind": "consultancy",
            "reference_code": "DC-CFC-2026-003",
            "summary": "A survey of at least 400 defenders in eight counties on how "
            "surveillance, real or feared, changes their work.",
            "terms_of_reference": SURVEY_TOR,
            "opens_at": now - 40 * day,
            "closes_at": now - 4 * day,
            "clarifications_close_at": now - 12 * day,
            "budget_ceiling": Decimal("2400000"),
            "currency": "KES",
            "selection_method": "qcbs",
            "technical_weight": Decimal("0.80"),
            "financial_weight": Decimal("0.20"),
            "minimum_technical_score": Decimal("70"),
            # Blind review, so that the evaluation walk-through shows it: reviewers
            # read references, not names, and each bid's files as copies whose
            # metadata names nobody (the demo PDFs name their bidder as Author).
            "blind_review": True,
            "criteria": STANDARD_CRITERIA,
            "documents": CONSULTANCY_DOCUMENTS,
        },
        {
            "slug": "legal-review-protection-fund",
            "title": "Legal review of the Coalition's emergency protection fund",
            "kind": "consultancy",
            "reference_code": "DC-CFC-2026-007",
            "summary": "A review of the legal and governance framework of the fund that "
            "relocates defenders at risk, with a revised operating manual.",
            "terms_of_reference": SURVEY_TOR,
            "opens_at": now - 60 * day,
            "closes_at": now - 20 * day,
            "clarifications_close_at": now - 30 * day,
            "budget_ceiling": Decimal("2500000"),
            "currency": "KES",
            "selection_method": "qbs",
            "technical_weight": Decimal("1.00"),
            "financial_weight": Decimal("0.00"),
            "minimum_technical_score": Decimal("70"),
            "blind_review": False,
            "criteria": STANDARD_CRITERIA,
            "documents": CONSULTANCY_DOCUMENTS,
        },
        {
            "slug": "gender-responsive-budget-review",
            "title": "Review of the Coalition's gender-responsive budgeting",
            "kind": "consultancy",
            "reference_code": "DC-CFC-2026-006",
            "summary": "A review of how the Coalition's budgets and spending serve women "
            "defenders, with recommendations for the next strategic plan.",
            "terms_of_reference": SURVEY_TOR,
            "opens_at": now - 30 * day,
            "closes_at": now - timedelta(hours=2),
            "clarifications_close_at": now - 10 * day,
            "budget_ceiling": Decimal("900000"),
            "currency": "KES",
            "selection_method": "qcbs",
            "technical_weight": Decimal("0.80"),
            "financial_weight": Decimal("0.20"),
            "minimum_technical_score": Decimal("70"),
            "blind_review": False,
            "criteria": STANDARD_CRITERIA,
            "documents": CONSULTANCY_DOCUMENTS,
        },
        {
            "slug": "annual-report-design-layout",
            "title": "Design and layout of the annual report",
            "kind": "consultancy",
            "reference_code": "DC-CFC-2026-001",
            "summary": "Design of the annual report in print and accessible web formats.",
            "terms_of_reference": REPORT_TOR,
            "opens_at": now - 120 * day,
            "closes_at": now - 90 * day,
            "clarifications_close_at": now - 100 * day,
            "budget_ceiling": Decimal("400000"),
            "currency": "KES",
            "selection_method": "least_cost",
            "technical_weight": Decimal("1.00"),
            "financial_weight": Decimal("0.00"),
            "minimum_technical_score": Decimal("60"),
            "blind_review": False,
            "outcome": "awarded",
            "criteria": STANDARD_CRITERIA,
            "documents": CONSULTANCY_DOCUMENTS,
        },
    ]


EOI_CRITERIA = [
    ("Relevant experience", "Evaluations of protection or human rights programmes.", 50),
    ("Qualifications of key staff", "Evaluators with regional and gender expertise.", 35),
    ("Presence in the region", "Ability to work safely with defenders in the field.", 15),
]

EOI_DOCUMENTS = [
    ("Expression of interest", "technical", True, "pdf", 10),
    ("Similar assignments and references", "technical", True, "pdf", 10),
]

EOI_CODE = "DC-EOI-2026-008"
RFP_CODE = "DC-RFP-2026-009"


def demo_two_stage_calls(now):
    """A two-stage consultancy: a closed expression of interest, whose shortlist the
    demo panel draws up, and the request for proposals that invites it (loaded after
    the shortlist: a second stage cannot be published without one)."""
    day = timedelta(days=1)
    title = "evaluation of the protection programme 2022-2026"
    eoi = {
        "slug": "eoi-evaluation-protection-programme",
        "title": f"Expression of interest: {title}",
        "kind": "consultancy",
        "reference_code": EOI_CODE,
        "summary": "First stage: firms and teams express interest in evaluating the "
        "Coalition's protection programme. The shortlisted ones are invited to propose.",
        "terms_of_reference": SURVEY_TOR,
        "opens_at": now - 50 * day,
        "closes_at": now - 25 * day,
        "clarifications_close_at": now - 32 * day,
        "budget_ceiling": Decimal("3000000"),
        "currency": "KES",
        "selection_method": "qbs",
        "technical_weight": Decimal("1.00"),
        "financial_weight": Decimal("0.00"),
        "minimum_technical_score": Decimal("60"),
        "blind_review": False,
        "stage": "first",
        "criteria": EOI_CRITERIA,
        "documents": EOI_DOCUMENTS,
    }
    rfp = {
        "slug": "rfp-evaluation-protection-programme",
        "title": f"Request for proposals: {title}",
        "kind": "consultancy",
        "reference_code": RFP_CODE,
        "summary": "Second stage, by invitation: the three firms shortlisted from the "
        "expressions of interest propose a method, a team and a price.",
        "terms_of_reference": SURVEY_TOR,
        "opens_at": now - 2 * day,
        "closes_at": now + 21 * day,
        "clarifications_close_at": now + 14 * day,
        "budget_ceiling": Decimal("3000000"),
        "currency": "KES",
        "selection_method": "qcbs",
        "technical_weight": Decimal("0.80"),
        "financial_weight": Decimal("0.20"),
        "minimum_technical_score": Decimal("70"),
        "blind_review": False,
        "stage": "second",
        "criteria": STANDARD_CRITERIA,
        "documents": CONSULTANCY_DOCUMENTS,
    }
    return eoi, rfp
