"""A save's uploads, checked and stored before its transaction: each file checked
against its requirement, the good ones stored (sealed to the call's key when it has
one), and the refusals of the bad ones kept, so a bad file never costs the good ones."""

from django.utils.translation import gettext as _

from applications.services.call_keys import sealing_key_for
from applications.uploads import StagedFile, check_upload, discard_staged, store_upload
from core.errors import Refused
from core.page_text import rows_with_text
from tenders.models import RequiredDocument


class FilesRefused(Refused):
    """Some uploads were refused. The others (``kept``) are saved on the bid, for
    its owner only: on a draft as its files, on a submitted bid as replacements
    waiting for Resubmit. Nothing was submitted. ``refusals`` maps each refused
    document's requirement to the reason."""

    def __init__(self, *, refusals: dict, kept: list):
        self.refusals = refusals
        self.kept = kept
        names = ", ".join(requirement.text.name for requirement in refusals)
        if kept:
            message = _(
                "Not kept: %(refused)s (see below). Kept: %(kept)s. Nothing was submitted."
            ) % {"refused": names, "kept": ", ".join(r.text.name for r in kept)}
        else:
            message = _("Not kept: %(refused)s (see below). Nothing was saved.") % {
                "refused": names
            }
        super().__init__(message)


def stage_uploads(call, uploads, submission_id=None) -> list[tuple[RequiredDocument, StagedFile]]:
    """Check every upload, then store the good ones. Returns them, and the refusals
    of the bad ones by requirement: a bad file never costs the good ones."""
    requirements = {r.pk: r for r in rows_with_text(call, "required_documents")}
    checked = []
    refusals = {}
    for requirement_id, uploaded in uploads.items():
        requirement = requirements.get(int(requirement_id))
        if requirement is None:
            raise Refused(_("That document is not part of this call."))
        try:
            name = check_upload(
                uploaded,
                accepted=requirement.accepted_type_list,
                max_bytes=requirement.max_size_bytes,
                label=requirement.text.name,
            )
        except Refused as refusal:
            refusals[requirement] = refusal.message
            continue
        checked.append((requirement, uploaded, name))
    staged = []
    call_key = sealing_key_for(call.pk) if checked else None
    try:
        for requirement, uploaded, name in checked:
            stored = store_upload(
                uploaded,
                call_id=call.pk,
                display_name=name,
                call_key=call_key,
                submission_id=submission_id,
            )
            staged.append((requirement, stored))
    except BaseException:
        discard_staged([s for _r, s in staged])
        raise
    return staged, refusals
