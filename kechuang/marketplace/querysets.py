"""Access scopes of the marketplace models (see :mod:`kechuang.accounts.access`).

Institutions see what they own or hold (their products, requests sent to them, legs they provide);
a financial institution sees an enterprise's facts (a demand's pre-fill, its pool rows) only under
the enterprise's active consent or an application the enterprise made to it; a 金融辅导员 sees the
enterprises assigned to them."""

from django.apps import apps
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Value

from kechuang.accounts.access import VIEW, RestrictedQuerySet, is_financial, named_institution_scope

from . import choices as c


def _advised(user, path: str) -> Q:
    assignment = apps.get_model("marketplace", "AdvisorAssignment")
    return Q(**{f"{path}__in": assignment.objects.filter(advisor=user, is_active=True).values("enterprise_id")})


def consent_or_application(org, enterprise_ref: str) -> Q:
    """Rows of an enterprise that gave ``org`` an active consent or applied to it."""
    consent = apps.get_model("enterprises", "Consent")
    request = apps.get_model("marketplace", "FinancingRequest")
    return (Q(Exists(consent.objects.active().filter(organization=org, enterprise=OuterRef(enterprise_ref))))
            | Q(Exists(request.objects.filter(institution=org, demand__enterprise=OuterRef(enterprise_ref)))))


class ProductQuerySet(RestrictedQuerySet):
    """The catalogue is public to signed-in organisations; its institution changes it."""
    access_orgs = ("institution",)

    def extra_scope(self, user, org, action):
        return Q(is_active=True) if action == VIEW else None


class DemandQuerySet(RestrictedQuerySet):
    """An institution sees the open demands (to grab them; their pre-fill only under consent or
    an application, :meth:`with_prefill_access`) and those it has held."""
    access_enterprise = "enterprise"
    access_region = "region_code"
    access_consent = False

    def extra_scope(self, user, org, action):
        scope = _advised(user, "enterprise_id")
        if is_financial(org) and action == VIEW:
            request = apps.get_model("marketplace", "FinancingRequest")
            held = request.objects.filter(institution=org).values("demand_id")
            scope |= Q(status=c.DemandStatus.OPEN) | Q(pk__in=held)
        return scope

    def with_prefill_access(self, user):
        """Annotate ``prefill_visible``: whether ``user`` may read the row's pre-filled facts."""
        if user.is_superuser:
            return self.annotate(prefill_visible=Value(True, output_field=BooleanField()))
        org = getattr(user, "organization", None)
        if not is_financial(org):
            # Rows a regulator, the enterprise or its advisor reach at all carry their pre-fill.
            return self.annotate(prefill_visible=Value(org is not None, output_field=BooleanField()))
        rule = consent_or_application(org, "enterprise") | _advised(user, "enterprise_id")
        return self.annotate(prefill_visible=ExpressionWrapper(rule, output_field=BooleanField()))


class FinancingRequestQuerySet(RestrictedQuerySet):
    access_enterprise = "demand__enterprise"
    access_region = "demand__region_code"
    access_orgs = ("institution",)
    access_consent = False

    def extra_scope(self, user, org, action):
        leg = apps.get_model("marketplace", "Leg")
        return (_advised(user, "demand__enterprise_id")
                | Q(pk__in=leg.objects.filter(provider=org).values("request_id")))


class RequestEventQuerySet(RestrictedQuerySet):
    access_enterprise = "request__demand__enterprise"
    access_region = "request__demand__region_code"
    access_orgs = ("request__institution",)
    access_consent = False


class RequestRatingQuerySet(RestrictedQuerySet):
    """A rating is the enterprise's: it and the regulator of its region see it, as do the
    institution that held the request and the enterprise's advisor (view only)."""
    access_enterprise = "request__demand__enterprise"
    access_region = "request__demand__region_code"
    access_consent = False

    def extra_scope(self, user, org, action):
        if action != VIEW:
            return None
        return Q(request__institution=org) | _advised(user, "request__demand__enterprise_id")


class LegQuerySet(RestrictedQuerySet):
    access_enterprise = "request__demand__enterprise"
    access_region = "request__demand__region_code"
    access_orgs = ("provider", "request__institution")
    access_consent = False


class LossBookingQuerySet(RestrictedQuerySet):
    access_enterprise = "leg__request__demand__enterprise"
    access_region = "leg__request__demand__region_code"
    access_orgs = ("leg__provider", "leg__request__institution")
    access_consent = False


class AdvisorAssignmentQuerySet(RestrictedQuerySet):
    access_enterprise = "enterprise"
    access_users = ("advisor",)
    access_consent = False


class AdvisorVisitQuerySet(RestrictedQuerySet):
    access_enterprise = "assignment__enterprise"
    access_users = ("assignment__advisor",)
    access_consent = False


class _PoolQuerySet(RestrictedQuerySet):
    """Pool rows: a regulator its region's; a bank or guarantor the rows naming it and a service
    agency any row, in both cases only under the enterprise's consent or an application to it."""
    access_enterprise = "enterprise"
    access_consent = False
    named: tuple[str, ...] = ()

    def extra_scope(self, user, org, action):
        named = named_institution_scope(org, action, self.named)
        if named is None:
            return None
        return named & consent_or_application(org, "enterprise")


class FirstLoanCandidateQuerySet(_PoolQuerySet):
    access_region = "region_code"
    named = ("bank",)


class WhitelistEntryQuerySet(_PoolQuerySet):
    named = ("bank", "guarantor")


class RoadshowQuerySet(RestrictedQuerySet):
    """Roadshows are public events; the organiser and the regulator of the region run them."""
    access_region = "region_code"
    access_orgs = ("organizer",)

    def extra_scope(self, user, org, action):
        return Q() if action == VIEW else None


class RoadshowRegistrationQuerySet(RestrictedQuerySet):
    access_enterprise = "enterprise"
    access_region = "roadshow__region_code"
    access_orgs = ("investor", "roadshow__organizer")
    access_consent = False
