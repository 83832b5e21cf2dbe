"""Who may see the platform-wide records (audit log, jobs)."""


def can_view_audit(user) -> bool:
    """The regulator (any role) and superusers read the audit log; everyone else sees only the
    reads of their own enterprise's data, on the enterprise's own pages."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    org = getattr(user, "organization", None)
    return bool(org and org.is_regulator)
