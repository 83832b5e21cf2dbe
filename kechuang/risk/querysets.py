"""Access scopes of the risk models (see :mod:`kechuang.accounts.access`).

Warnings are the regulator's (by region) and, on the enterprises it lent to, guaranteed or insured
on the platform, an institution's (its portfolio); a 金融辅导员 sees the warnings of the
enterprises assigned to them and the cases assigned to them. The enterprise itself does not see
its warnings (they are supervisory information), nor does an institution reach one through a
consent alone: only through its exposure.
"""

from django.apps import apps
from django.db.models import Q

from kechuang.accounts.access import VIEW, RestrictedQuerySet, is_financial
from kechuang.marketplace.choices import LegState, RequestState


#: Leg states that leave the provider exposed (approved, or already paid out).
EXPOSED_LEG_STATES = (LegState.APPROVED, LegState.DEFAULTED)


def exposure_q(org, path: str = "enterprise_id") -> Q:
    """Rows of the enterprises ``org`` has exposure to on the platform: a disbursed request it
    holds, or a guarantee/insurance leg it approved (or paid out on)."""
    request = apps.get_model("marketplace", "FinancingRequest")
    leg = apps.get_model("marketplace", "Leg")
    lent = request.objects.filter(institution=org, state=RequestState.DISBURSED).values("demand__enterprise_id")
    covered = leg.objects.filter(provider=org, state__in=EXPOSED_LEG_STATES).values("request__demand__enterprise_id")
    return Q(**{f"{path}__in": lent}) | Q(**{f"{path}__in": covered})


def _advised(user, path: str) -> Q:
    assignment = apps.get_model("marketplace", "AdvisorAssignment")
    return Q(**{f"{path}__in": assignment.objects.filter(advisor=user, is_active=True).values("enterprise_id")})


class WarningRunQuerySet(RestrictedQuerySet):
    access_region = "region_code"
    access_regulator_only = True


class EnterpriseWarningQuerySet(RestrictedQuerySet):
    access_enterprise = "enterprise"
    access_region = "region_code"
    access_regulator_only = True

    def extra_scope(self, user, org, action):
        if action != VIEW:
            return None
        scope = _advised(user, "enterprise_id")
        if is_financial(org):
            scope |= exposure_q(org)
        return scope


class WarningResponseQuerySet(RestrictedQuerySet):
    """A response is its institution's; the regulator of the enterprise's region reads it."""
    access_enterprise = "warning__enterprise"
    access_region = "warning__region_code"
    access_orgs = ("institution",)
    access_regulator_only = True


class RiskCaseQuerySet(RestrictedQuerySet):
    """Cases are the regulator's (by region) and their assignee's."""
    access_enterprise = "enterprise"
    access_region = "region_code"
    access_users = ("assignee",)
    access_regulator_only = True


class CaseActionQuerySet(RestrictedQuerySet):
    access_enterprise = "case__enterprise"
    access_region = "case__region_code"
    access_users = ("case__assignee",)
    access_regulator_only = True


class BacktestReportQuerySet(RestrictedQuerySet):
    """Synthetic backtests: every regulator reads them (no enterprise data)."""
    access_regulator_only = True
