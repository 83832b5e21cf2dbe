"""Access scopes of the supervision models (see :mod:`kechuang.accounts.access`).

Everything is the regulator's business, by the organisation's district; an organisation with a
platform account (``SupervisedOrg.institution``) reads its own records and files its own reports
through that account; nobody else sees anything (``access_regulator_only``).
"""

from kechuang.accounts.access import RestrictedQuerySet


class SupervisedOrgQuerySet(RestrictedQuerySet):
    access_region = "region_code"
    access_orgs = ("institution",)
    access_regulator_only = True


class PeriodicReportQuerySet(RestrictedQuerySet):
    access_region = "region_code"
    access_orgs = ("org__institution",)
    access_regulator_only = True


class RatioBreachQuerySet(RestrictedQuerySet):
    access_region = "region_code"
    access_orgs = ("org__institution",)
    access_regulator_only = True


class ReportUploadQuerySet(RestrictedQuerySet):
    """An upload is its uploader organisation's; the regulator of the uploader's region reads it."""
    access_region = "region_code"
    access_orgs = ("uploader_org",)
    access_regulator_only = True


class InspectionQuerySet(RestrictedQuerySet):
    access_region = "org__region_code"
    access_orgs = ("org__institution",)
    access_regulator_only = True


class OrgRatingQuerySet(RestrictedQuerySet):
    access_region = "region_code"
    access_orgs = ("org__institution",)
    access_regulator_only = True
