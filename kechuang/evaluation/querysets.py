"""Access scopes of the evaluation models (see :mod:`kechuang.accounts.access`)."""

from kechuang.accounts.access import RestrictedQuerySet


class EvaluationRunQuerySet(RestrictedQuerySet):
    """Region runs are the regulator's (scoped by the run's region); a file run is its creator's."""
    access_region = "region_code"
    access_regulator_only = True
    access_users = ("created_by",)


class EvaluationResultQuerySet(RestrictedQuerySet):
    access_enterprise = "enterprise"


class TierPlacementQuerySet(RestrictedQuerySet):
    access_enterprise = "enterprise"
    access_region = "region_code"
