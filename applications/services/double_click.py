"""Telling a double click from a resubmission (issue 23).

A bid's price is sealed as it is saved, so a second post cannot be compared with what
is stored. Each rendering of the bid form carries a token; a post is recorded by the
digest of its token, its action and what it carried, and the same digest again is a
double click.
"""

import hashlib
import json


def post_digest(token: str, *, submit: bool, amounts, answers, staged) -> str:
    """What one post of the bid form was: its form's token, the action and what it
    carried (amounts, answers, each file's SHA-256). The same post again is a double
    click; the same page sending anything else (Save, then Submit) is not."""
    if not token:
        return ""
    content = json.dumps(
        {
            "token": token,
            "submit": submit,
            "amounts": None if amounts is None else [str(v) for v in vars(amounts).values()],
            "answers": answers,
            "files": sorted((r.pk, item.sha256) for r, item in staged),
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(content.encode()).hexdigest()
