"""Who may see the platform-wide records (audit log, jobs)."""


def can_view_audit(user) -> bool:
    """Every signed-in member of an organisation (and superusers) may open the audit log; what it
    shows is scoped by :func:`kechuang.core.selectors.audit_entries_visible` (a regulator its region,
    others their own organisation's actions). It is read-only for every role."""
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_superuser or getattr(user, "organization_id", None))
