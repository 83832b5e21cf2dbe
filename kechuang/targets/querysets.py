"""Access scopes of the targets models (see :mod:`kechuang.accounts.access`): plans, values and
tasks are the regulator's, scoped by region; a responsible unit's organisation sees its tasks."""

from django.db.models import Q

from kechuang.accounts.access import RestrictedQuerySet


class PlanQuerySet(RestrictedQuerySet):
    access_region = "region_code"
    access_regulator_only = True


class IndicatorQuerySet(RestrictedQuerySet):
    access_region = "plan__region_code"
    access_regulator_only = True


class IndicatorValueQuerySet(RestrictedQuerySet):
    access_region = "region_code"
    access_regulator_only = True


class TaskQuerySet(RestrictedQuerySet):
    access_region = "plan__region_code"
    access_regulator_only = True

    def extra_scope(self, user, org, action):
        # A responsible or leading unit reports on its tasks (writers only, by the role rule).
        from_units = self.model.objects.filter(Q(units__organization=org) | Q(lead_units__organization=org))
        return Q(pk__in=from_units.values("pk"))


class TaskReportQuerySet(RestrictedQuerySet):
    access_region = "task__plan__region_code"
    access_regulator_only = True
    access_orgs = ("unit__organization",)
