"""Access scopes of the talent models (see :mod:`kechuang.accounts.access`).

A person is not an enterprise: an enterprise's consent to a bank opens nothing here
(``access_consent = False``). Who sees a person's rows: the employer enterprise (its team), a
regulator of the region (its pages show only distributions), an organisation holding the person's
ACTIVE talent consent (checked at query time, so a revocation closes the rows at once), and the
person's own user."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from kechuang.accounts.access import VIEW, RestrictedQuerySet


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


class TalentConsentQuerySet(RestrictedQuerySet):
    access_enterprise = "person__enterprise"
    access_region = "person__region_code"
    access_orgs = ("organization",)
    access_consent = False

    def active(self, at=None):
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True, valid_from__lte=at, valid_until__gt=at)

    def restrict(self, user, action: str = VIEW):
        qs = super().restrict(user, action)
        if not _signed_in(user):
            return qs
        own = self.filter(person__user=user)
        return (qs | own).distinct() if action == VIEW else own if not user.is_superuser else qs


class _PersonScoped(RestrictedQuerySet):
    person_path = ""
    access_consent = False

    def _p(self, field: str) -> str:
        return f"{self.person_path}__{field}" if self.person_path else field

    def extra_scope(self, user, org, action):
        if action != VIEW:
            return None
        from .models import TalentConsent  # the models import this module
        return Q(Exists(TalentConsent.objects.active().filter(
            organization=org, person=OuterRef(self._p("pk") if self.person_path else "pk"))))

    def restrict(self, user, action: str = VIEW):
        qs = super().restrict(user, action)
        if not _signed_in(user) or action != VIEW:
            return qs
        return (qs | self.filter(**{self._p("user"): user})).distinct()


class TalentPersonQuerySet(_PersonScoped):
    access_enterprise = "enterprise"
    access_region = "region_code"


class ValuationQuerySet(_PersonScoped):
    person_path = "person"
    access_enterprise = "person__enterprise"
    access_region = "region_code"

    def consented(self, at=None):
        """Only rows whose person holds an active consent now: what may still be used."""
        from .models import TalentConsent
        return self.filter(Exists(TalentConsent.objects.active(at).filter(person=OuterRef("person"))))


class ValuationRunQuerySet(RestrictedQuerySet):
    access_region = "region_code"
    access_regulator_only = True
    access_users = ("created_by",)


class TalentLoanTermsQuerySet(RestrictedQuerySet):
    """Terms are part of a product's public catalogue entry: everyone signed in reads them; the
    publishing institution changes them."""
    access_orgs = ("product__institution",)

    def extra_scope(self, user, org, action):
        return Q() if action == VIEW else None
