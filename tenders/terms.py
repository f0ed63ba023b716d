"""A call's terms, reduced to a fingerprint, so a change is noticed on publish."""

import hashlib
import json


def terms_fingerprint(call) -> str:
    """SHA-256 over everything an applicant relies on, except the deadline."""
    payload = {
        "title": call.title,
        "summary": call.summary,
        "terms": call.terms_of_reference.get_prep_value(),
        "budget": str(call.budget_ceiling),
        "currency": call.currency,
        "method": call.selection_method,
        "weights": [str(call.technical_weight), str(call.financial_weight)],
        "minimum": str(call.minimum_technical_score),
        "opens_at": call.opens_at.isoformat(),
        "criteria": [(c.title, c.description, c.max_points) for c in call.criteria.all()],
        "documents": [
            (d.name, d.envelope, d.is_required, d.accepted_types, d.max_size_mb)
            for d in call.required_documents.all()
        ],
    }
    payload["terms"] = _without_ids(payload["terms"])
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _without_ids(value):
    """Block ids change when an editor re-saves a block without changing it."""
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def form_fingerprint(call) -> str:
    """SHA-256 over the call's application form, question by question with its id (an
    answer points at its question's id, so a question made again is a change). The
    order does not count: moving a question changes no answer."""
    form = sorted(call.application_form.get_prep_value() or [], key=lambda b: str(b.get("id")))
    return hashlib.sha256(json.dumps(form, sort_keys=True, default=str).encode()).hexdigest()
