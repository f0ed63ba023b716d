"""Who may see erasure requests and what the retention policy deleted: superusers, and
staff given the permission. The screen names nobody: erased accounts by pseudonym."""

ERASURES_PERMISSION = "privacy.view_erasurerequest"


def can_see_erasures(user) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(ERASURES_PERMISSION))
