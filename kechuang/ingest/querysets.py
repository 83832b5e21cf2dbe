"""Access scopes of the import records (see :mod:`kechuang.accounts.access`): imports are the
regulator's business, scoped by the region a run was imported under (a district sees its own
district's runs and their quarantined rows, a city its districts' too); whoever started one sees it."""

from kechuang.accounts.access import RestrictedQuerySet


class ImportRunQuerySet(RestrictedQuerySet):
    access_regulator_only = True
    access_region = "region_code"
    access_users = ("created_by",)


class QuarantinedRowQuerySet(RestrictedQuerySet):
    access_regulator_only = True
    access_region = "run__region_code"
    access_users = ("run__created_by",)
