"""Access scopes of the funds models (see :mod:`kechuang.accounts.access`).

Programmes and their budgets are public to signed-in users (a policy is meant to be read); the
regulators of the programme's region change them. A claim is the enterprise's and its claimant's:
the enterprise it is about sees it, so does the institution that claims (a bank's loss
compensation), and the regulators of the enterprise's region; nobody else, consent or not."""

from django.db.models import Q

from kechuang.accounts.access import VIEW, RestrictedQuerySet


class ProgrammeQuerySet(RestrictedQuerySet):
    access_region = "region_code"
    access_regulator_only = True

    def extra_scope(self, user, org, action):
        return Q() if action == VIEW else None


class BudgetQuerySet(RestrictedQuerySet):
    access_region = "programme__region_code"
    access_regulator_only = True

    def extra_scope(self, user, org, action):
        return Q() if action == VIEW else None


class ClaimQuerySet(RestrictedQuerySet):
    access_enterprise = "enterprise"
    access_region = "region_code"
    access_orgs = ("claimant_org",)
    access_consent = False


class ClaimEventQuerySet(RestrictedQuerySet):
    access_enterprise = "claim__enterprise"
    access_region = "claim__region_code"
    access_orgs = ("claim__claimant_org",)
    access_consent = False


class PaymentQuerySet(ClaimEventQuerySet):
    pass


class RepaymentQuerySet(RestrictedQuerySet):
    """A bank's repayment record of a loan: the enterprise it is about, the lending bank (which
    alone records them, see ``funds.repayments``) and the regulators of the enterprise's region."""

    access_enterprise = "enterprise"
    access_region = "region_code"
    access_orgs = ("lender",)
    access_consent = False
