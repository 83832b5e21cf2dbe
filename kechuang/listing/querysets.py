"""Access scopes of the listing models (see :mod:`kechuang.accounts.access`)."""

from kechuang.accounts.access import RestrictedQuerySet


class PoolRunQuerySet(RestrictedQuerySet):
    """Pool runs are the regulator's business, scoped by the run's region."""
    access_region = "region_code"
    access_regulator_only = True
    access_users = ("created_by",)


class PoolPlacementQuerySet(RestrictedQuerySet):
    """A placement is about one enterprise: the regulator of its region, the enterprise itself, an
    institution under the enterprise's active consent."""
    access_enterprise = "enterprise"
    access_region = "region_code"


class MilestoneQuerySet(RestrictedQuerySet):
    access_enterprise = "enterprise"
