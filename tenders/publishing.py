"""What must be true before a call goes live for the first time, asked of the apps
above (``tenders`` knows nothing of committees or keys): ``applications`` registers
the check that the call's opening committee is complete and holds its key (issue 23).

A check returns why the call cannot go live, or "". It runs inside the publish's
transaction, so a check may also do what going live needs (make the call's key).
"""

from collections.abc import Callable

_checks: list[Callable] = []


def register_publish_check(check: Callable) -> None:
    """``check(call) -> str``: why ``call`` may not go live, or ""."""
    if check not in _checks:
        _checks.append(check)


def going_live_refusal(call) -> str:
    for check in _checks:
        if refusal := check(call):
            return refusal
    return ""


def goes_live_now(call) -> bool:
    """``call`` is being saved live while the database still has it unpublished."""
    if not call.live:
        return False
    if call.pk is None:
        return True
    stored = type(call).objects.filter(pk=call.pk).values_list("live", flat=True).first()
    return not stored
