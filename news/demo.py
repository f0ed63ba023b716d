"""Demo news, written for Zabuni in the voice of a defenders' coalition.

The people and places are invented; the kinds of events are the ones such an
organisation reports on.
"""

from datetime import timedelta


def _body(*paragraphs, heading=None):
    blocks = []
    if heading:
        blocks.append({"type": "heading", "value": heading})
    blocks.extend({"type": "paragraph", "value": f"<p>{p}</p>"} for p in paragraphs)
    return blocks


def demo_articles(today):
    day = timedelta(days=1)
    return [
        {
            "slug": "police-killing-youth-informal-settlement",
            "title": "Press release: a young man killed in police custody — we demand an "
            "independent investigation",
            "category": "press_release",
            "date": today - 2 * day,
            "intro": "We are alarmed by the arrest, detention and death of a 19-year-old "
            "from an informal settlement in Nairobi, the third such death in the area "
            "this year.",
            "body": _body(
                "According to his family and witnesses, he was arrested on his way home "
                "on Friday evening and taken to a police post. On Sunday his body was "
                "found at the city mortuary with injuries consistent with a beating.",
                "We call on the Independent Policing Oversight Authority to open an "
                "investigation at once, and on the Inspector General to suspend the "
                "officers involved while it runs. We stand with the family, whose "
                "members have since received threats.",
                heading="What happened",
            ),
        },
        {
            "slug": "statement-arrest-activist-social-media",
            "title": "Statement: arresting an activist for his posts chills free expression",
            "category": "statement",
            "date": today - 6 * day,
            "intro": "Together with partner organisations we condemn the night-time arrest "
            "of an activist over infographics he shared online, and the harsh bail terms "
            "that followed.",
            "body": _body(
                "Criticising public borrowing is not a crime. Detaining a citizen for "
                "fourteen days 'pending investigations' into social media posts turns "
                "the law into a tool of intimidation.",
                "We urge the court to review the bail terms and the prosecution to drop "
                "charges that rest on provisions the High Court has already questioned.",
            ),
        },
        {
            "slug": "court-update-land-rights-defender",
            "title": "Update: charges against a land rights defender withdrawn",
            "category": "update",
            "date": today - 10 * day,
            "intro": "The magistrate allowed the prosecution to withdraw all charges "
            "against a defender who had campaigned against forced evictions.",
            "body": _body(
                "The defence had opposed earlier attempts to keep the case open without "
                "evidence. Today the court closed the matter. Our legal aid team will "
                "continue to support the defender and his family, who were displaced "
                "during the dispute."
            ),
        },
        {
            "slug": "urgent-appeal-community-monitor-missing",
            "title": "Urgent appeal: the whereabouts of a community monitor are unknown",
            "category": "urgent_appeal",
            "date": today - 1 * day,
            "intro": "A community monitor who documented evictions has not been seen since "
            "Tuesday. We fear an enforced disappearance.",
            "body": _body(
                "She was last seen leaving a meeting with residents. Her phone has been "
                "off since that evening. Police have not recorded the family's report.",
                "Please write to the authorities asking that they record the report, "
                "search for her, and disclose whether she is held in any police "
                "facility.",
                heading="What you can do",
            ),
        },
        {
            "slug": "annual-report-2025",
            "title": "Annual report 2025: defending the defenders",
            "category": "report",
            "date": today - 30 * day,
            "intro": "Our story for 2025: how defenders adapted to pressure, and how the "
            "Coalition responded with protection grants, legal aid and training.",
            "body": _body(
                "Last year we supported 212 defenders at risk, ran 37 trainings and "
                "provided legal representation in 58 cases. The report sets out what "
                "worked, what did not, and where we will focus next."
            ),
        },
        {
            "slug": "survey-surveillance-defenders",
            "title": "Report: the impact of communication surveillance on defenders",
            "category": "report",
            "date": today - 45 * day,
            "intro": "A perception survey finds that most defenders change how they "
            "communicate because they believe they are watched.",
            "body": _body(
                "Seven in ten respondents said they avoid discussing cases by phone; "
                "half had stopped keeping written records of some meetings. The right "
                "to privacy is a precondition of the right to defend rights.",
                heading="Key findings",
            ),
        },
        {
            "slug": "security-sector-criminality",
            "title": "Press statement: alarm over the hire of police equipment to criminals",
            "category": "press_release",
            "date": today - 60 * day,
            "intro": "Reports that officers rent out firearms and uniforms demand a "
            "response from the oversight bodies, not denials.",
            "body": _body(
                "We call for an audit of the armouries named in recent reports and for "
                "the protection of the whistle-blowers who spoke to journalists."
            ),
        },
    ]
