"""Access scopes of the rating models (see :mod:`kechuang.accounts.access`)."""

from kechuang.accounts.access import RestrictedQuerySet


class RatingModelQuerySet(RestrictedQuerySet):
    """The model registry is the regulator's (every district sees the city's champion)."""
    access_regulator_only = True


class RatingRunQuerySet(RestrictedQuerySet):
    access_region = "region_code"
    access_regulator_only = True


class RatingResultQuerySet(RestrictedQuerySet):
    access_enterprise = "enterprise"
    access_region = "region_code"


class DefaultOutcomeQuerySet(RestrictedQuerySet):
    """Observed defaults are training data: the regulator's only."""
    access_enterprise = "enterprise"
    access_regulator_only = True
