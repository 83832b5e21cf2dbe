"""The one access path: who may ``view``, ``change``, ``delete`` or ``run`` what.

Every model holding enterprise or institution data gets its queryset from
:class:`RestrictedQuerySet` and declares its *scope* (where its enterprise, its region code and its
owning organisations are); ``Model.objects.restrict(user, action)`` then applies the rules below,
written here once (after NetBox's ``RestrictedQuerySet``):

- **role**: an inactive or anonymous user, or one of an inactive organisation, sees nothing; a
  viewer never changes, deletes or runs anything (:data:`WRITER_ROLES`); superusers see everything;
- **region**: a regulator sees the rows of its region and the districts in it (370100 covers
  3701xx), through :func:`within_region`;
- **organisation**: an institution sees the rows its organisation owns (the fields named in
  ``access_orgs``) and changes only those;
- **consent**: a financial institution sees the rows of an enterprise whose active consent it holds
  (an application to it carries one); an enterprise sees its own rows.

Helpers for the cases that are not a queryset (may this user start a run, govern models, cover a
region) live here too, so no app types a role name or keeps its own region-prefix helper.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q

from .choices import FINANCIAL_KINDS, WRITER_ROLES, OrganizationKind, Role
from .models import region_prefix, within_region

VIEW = "view"
CHANGE = "change"
DELETE = "delete"
RUN = "run"
ACTIONS = frozenset({VIEW, CHANGE, DELETE, RUN})

__all__ = ["ACTIONS", "CHANGE", "DELETE", "RUN", "VIEW", "WRITER_ROLES", "RestrictedQuerySet",
           "covers_region", "is_admin", "is_district", "is_financial", "is_regulator", "is_writer", "may",
           "consent_holder_q", "named_institution_scope", "organization_of", "own_enterprise_id",
           "region_scope"]


def _check_action(action: str) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")


def organization_of(user):
    """The active organisation of an active, signed-in user, else ``None``."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    org = getattr(user, "organization", None)
    if org is None or not org.is_active:
        return None
    return org


def is_writer(user) -> bool:
    """Admins and officers write for their organisation; viewers never do."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.role in WRITER_ROLES)


def is_admin(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.role == Role.ADMIN)


def may(user, action: str) -> bool:
    """The role rule alone: anyone active may view, only writers change, delete or run."""
    _check_action(action)
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if organization_of(user) is None:
        return False
    return action == VIEW or user.role in WRITER_ROLES


def region_scope(user) -> str | None:
    """The region prefix ``user`` oversees: ``""`` for a superuser (everything), the prefix of a
    regulator's region (``"3701"`` for 370100), ``None`` for everyone else."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return ""
    org = organization_of(user)
    if org is None or org.kind != OrganizationKind.REGULATOR:
        return None
    return region_prefix(org.region_id)


def is_regulator(user, action: str = VIEW) -> bool:
    """A superuser, or a regulator allowed ``action`` (viewers only view)."""
    return region_scope(user) is not None and may(user, action)


def covers_region(user, region_code: str) -> bool:
    """Whether ``region_code`` lies in the region ``user`` oversees (a district does not cover its
    city: 370100 is outside 370112; ``""``, the whole platform, only a superuser covers)."""
    prefix = region_scope(user)
    if prefix is None:
        return False
    return prefix == "" or (bool(region_code) and region_code.startswith(prefix))


def is_district(user) -> bool:
    """A regulator of a district (370112), not of a city (370100) or province (370000)."""
    prefix = region_scope(user)
    return prefix is not None and len(prefix) == 6


def is_financial(org) -> bool:
    """An organisation whose reads of an enterprise need the enterprise's consent (a bank,
    guarantor, insurer, investor or service agency); ``False`` for ``None``."""
    return org is not None and org.kind in FINANCIAL_KINDS


def own_enterprise_id(user) -> int | None:
    """The enterprise an active user of an enterprise organisation acts for (grants and revokes its
    consents), else ``None``."""
    org = organization_of(user)
    if org is None or org.kind != OrganizationKind.ENTERPRISE:
        return None
    return org.enterprise_id


def consent_holder_q(field: str = "kind") -> Q:
    """Organisations an enterprise may authorise (financial institutions and service agencies)."""
    return Q(**{f"{field}__in": FINANCIAL_KINDS})


def named_institution_scope(org, action: str, fields: tuple[str, ...]) -> Q | None:
    """Of rows that name institutions (a pool row's bank or guarantor), those a financial
    institution reaches before consent is checked: a service agency (金融辅导) any row, to view
    only; another financial institution the rows naming it in one of ``fields``; anyone else
    nothing (``None``). Callers AND the result with their consent rule."""
    if not is_financial(org):
        return None
    if org.kind == OrganizationKind.SERVICE_AGENCY:
        return Q() if action == VIEW else None
    named = Q(pk__in=[])
    for field in fields:
        named |= Q(**{field: org})
    return named


def region_q(user, field: str = "region_code") -> Q:
    """Rows whose ``field`` lies in the region ``user`` oversees (nothing for non-regulators)."""
    prefix = region_scope(user)
    if prefix is None:
        return Q(pk__in=[])
    if prefix == "":
        return Q()
    return within_region(user.organization.region_id, field)


def _join(path: str, field: str) -> str:
    return f"{path}__{field}" if path else field


class RestrictedQuerySet(models.QuerySet):
    """A queryset whose model declares where its access facts are.

    - ``access_enterprise``: the path to the enterprise the row is about (``"enterprise"``,
      ``"demand__enterprise"``; ``""`` for the enterprise itself), or ``None``;
    - ``access_region``: the region-code field a regulator is scoped by (default: the enterprise's);
    - ``access_orgs``: the organisation fields whose organisation owns the row (sees and changes it);
    - ``access_users``: user fields whose user always sees the row (a file run's creator);
    - ``access_regulator_only``: rows of the regulator's own business (runs, models, plans): other
      organisations see them only through ``access_orgs`` / ``access_users``;
    - ``access_consent``: whether a financial institution's active consent opens the row for view.

    A model with a rule of its own adds it in :meth:`extra_scope` (an ``OR``-ed ``Q``; an empty
    ``Q()`` opens every row).
    """

    access_enterprise: str | None = None
    access_region: str | None = None
    access_orgs: tuple[str, ...] = ()
    access_users: tuple[str, ...] = ()
    access_regulator_only: bool = False
    access_consent: bool = True

    def extra_scope(self, user, org, action: str) -> Q | None:
        """Further rows ``user`` may reach (override per model)."""
        return None

    def _region_field(self) -> str | None:
        if self.access_region is not None:
            return self.access_region
        if self.access_enterprise is not None:
            return _join(self.access_enterprise, "region_code")
        return None

    def restrict(self, user, action: str = VIEW):
        """Only the rows ``user`` may ``action`` (view / change / delete / run)."""
        _check_action(action)
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        org = organization_of(user)
        if org is None:
            return self.none()
        if action != VIEW and user.role not in WRITER_ROLES:
            return self.none()
        scope = Q(pk__in=[])
        if org.kind == OrganizationKind.REGULATOR:
            field = self._region_field()
            if field is None:  # rows without a region (the model registry): every regulator
                return self
            scope = within_region(org.region_id, field)
        elif not self.access_regulator_only and self.access_enterprise is not None:
            ent = self.access_enterprise
            if org.kind == OrganizationKind.ENTERPRISE:
                if org.enterprise_id:
                    scope = Q(**{_join(ent, "pk") if ent else "pk": org.enterprise_id})
            elif action == VIEW and self.access_consent and org.kind in FINANCIAL_KINDS:
                consent = apps.get_model("enterprises", "Consent")
                scope = Q(Exists(consent.objects.active().filter(
                    organization=org, enterprise=OuterRef(ent or "pk"))))
        for field in self.access_orgs:
            scope |= Q(**{field: org})
        for field in self.access_users:
            scope |= Q(**{field: user})
        extra = self.extra_scope(user, org, action)
        if extra is not None:
            if not extra.children:  # an empty Q: every row (OR-ing it would silently drop it)
                return self
            scope |= extra
        return self.filter(scope)
