"""Who may see outgoing mail and retry it: superusers, and staff given the permission.

The screen shows recipients, subjects, states and errors, never bodies: a body
can hold a sign-in or password-reset link.
"""

OUTBOX_PERMISSION = "notifications.retry_outboxmessage"


def can_manage_outbox(user) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(OUTBOX_PERMISSION))
