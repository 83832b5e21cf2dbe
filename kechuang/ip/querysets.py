"""Access scopes of the IP models (see :mod:`kechuang.accounts.access`).

Valuations are the enterprise's facts: the enterprise, the regulators of its region and an
institution under its active consent (an application carries one) see them. A pledge is also
seen and changed by its pledgee; a product's pledge rate is public like the catalogue and changed by
the product's institution."""

from django.db.models import Q

from kechuang.accounts.access import VIEW, RestrictedQuerySet


class ValuationQuerySet(RestrictedQuerySet):
    access_enterprise = "enterprise"


class PledgeQuerySet(RestrictedQuerySet):
    access_enterprise = "enterprise"
    access_orgs = ("pledgee",)


class PledgeItemQuerySet(RestrictedQuerySet):
    access_enterprise = "pledge__enterprise"
    access_orgs = ("pledge__pledgee",)


class PledgeRateQuerySet(RestrictedQuerySet):
    access_orgs = ("product__institution",)

    def extra_scope(self, user, org, action):
        return Q(product__is_active=True) if action == VIEW else None
