"""Access scopes of the points models (see :mod:`kechuang.accounts.access`)."""

from kechuang.accounts.access import RestrictedQuerySet


class PointsModelQuerySet(RestrictedQuerySet):
    """Scoring models are the regulators' (every district reads the national and local models)."""
    access_regulator_only = True


class PointsRunQuerySet(RestrictedQuerySet):
    access_region = "region_code"
    access_regulator_only = True


class PointsResultQuerySet(RestrictedQuerySet):
    """An enterprise sees its own points, an institution under consent, a regulator its region."""
    access_enterprise = "enterprise"
    access_region = "region_code"
