"""Access scopes of the trade models (see :mod:`kechuang.accounts.access`).

A listing is public on the market while listed (every signed-in user sees it); its seller and the
regulators of its district see it always. A deal is seen by its two parties and the regulators of
the seller's district; financial institutions never see deals through consent (a deal is not the
enterprise's data held for credit)."""

from django.db.models import Q

from kechuang.accounts.access import VIEW, RestrictedQuerySet


class ListingQuerySet(RestrictedQuerySet):
    access_enterprise = "holder"
    access_region = "region_code"
    access_orgs = ("seller",)
    access_consent = False

    def extra_scope(self, user, org, action):
        return Q(status="listed") if action == VIEW else None


class DealQuerySet(RestrictedQuerySet):
    access_enterprise = "holder"
    access_region = "region_code"
    access_orgs = ("seller", "buyer")
    access_consent = False


class PledgeeConsentQuerySet(RestrictedQuerySet):
    access_enterprise = "pledge__enterprise"
    access_orgs = ("pledge__pledgee",)
    access_consent = False
