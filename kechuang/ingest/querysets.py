"""Access scopes of the import records (see :mod:`kechuang.accounts.access`): imports are the
regulator's business; whoever started one sees it."""

from kechuang.accounts.access import RestrictedQuerySet


class ImportRunQuerySet(RestrictedQuerySet):
    access_regulator_only = True
    access_users = ("created_by",)


class QuarantinedRowQuerySet(RestrictedQuerySet):
    access_regulator_only = True
    access_users = ("run__created_by",)
