"""Access scopes of the targets models (see :mod:`kechuang.accounts.access`): plans, values and
tasks are the regulator's, changed within its region; plans and their tasks are published
government documents, so every regulator reads them all (a district implements the city's plan);
a responsible unit's organisation sees its tasks."""

from django.apps import apps
from django.db.models import Q

from kechuang.accounts.access import VIEW, RestrictedQuerySet, is_regulator, organization_of
from kechuang.accounts.models import within_region


def _published(user, action: str) -> Q | None:
    """Every row, for a regulator reading (``Q()`` opens every row)."""
    return Q() if action == VIEW and is_regulator(user, VIEW) else None


class PlanQuerySet(RestrictedQuerySet):
    access_region = "region_code"
    access_regulator_only = True

    def extra_scope(self, user, org, action):
        return _published(user, action)


class IndicatorQuerySet(RestrictedQuerySet):
    access_region = "plan__region_code"
    access_regulator_only = True


class ValueFlagQuerySet(RestrictedQuerySet):
    """A problem in a plan's values: read by every regulator like the plan, resolved only within
    the plan's region."""
    access_region = "indicator__plan__region_code"
    access_regulator_only = True

    def extra_scope(self, user, org, action):
        return _published(user, action)


class IndicatorValueQuerySet(RestrictedQuerySet):
    access_region = "region_code"
    access_regulator_only = True


class TaskQuerySet(RestrictedQuerySet):
    access_region = "plan__region_code"
    access_regulator_only = True

    def extra_scope(self, user, org, action):
        published = _published(user, action)
        if published is not None:
            return published
        # A responsible or leading unit reports on its tasks (writers only, by the role rule).
        from_units = self.model.objects.filter(Q(units__organization=org) | Q(lead_units__organization=org))
        return Q(pk__in=from_units.values("pk"))


class TaskReportQuerySet(RestrictedQuerySet):
    access_region = "task__plan__region_code"
    access_regulator_only = True
    access_orgs = ("unit__organization",)


class UnitQuerySet(RestrictedQuerySet):
    """A responsible unit named by the plans: its name is published, so every regulator reads every
    unit (and the organisation reporting for it reads its own); only a regulator of a region whose
    plan names the unit (in a task, leading or supporting) changes it — links it to an organisation."""
    access_regulator_only = True

    def extra_scope(self, user, org, action):
        return Q(organization=org) if action == VIEW else None

    def restrict(self, user, action: str = VIEW):
        qs = super().restrict(user, action)  # a unit has no region of its own: regulators get every row
        org = organization_of(user)
        if action == VIEW or org is None or user.is_superuser or not is_regulator(user, action):
            return qs
        tasks = apps.get_model("targets", "Task").objects.filter(within_region(org.region_id, "plan__region_code"))
        return qs.filter(Q(pk__in=tasks.values("units")) | Q(pk__in=tasks.values("lead_units")))
