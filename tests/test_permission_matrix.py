"""The permission matrix: every route of the URL configuration × every demo role.

The routes are walked from ``get_resolver()`` (pages and API alike); each URL name must have a rule
in :data:`RULES`, so a new endpoint without one fails here ("new endpoint without a rule"). For
every route that reads (list, detail, export, page) each role's GET status is compared with the
rule; for every route that writes, a POST by a viewer and by a foreign organisation must be refused
(403/404/405) and change nothing. Path parameters are filled from the demo data (``demo_load``).

Set ``KECHUANG_MATRIX_RECORD=path`` to write the observed statuses as JSON (for reviewing a new
rule), never to make the test pass.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.accounts.choices import Role
from kechuang.accounts.models import Organization
from kechuang.core.triggers import audit_triggers_disable, audit_triggers_enable
from kechuang.demo.services import demo_load

ROLES = ("platform_admin", "city_admin", "city_officer", "city_viewer", "district", "bank_officer",
         "bank_viewer", "guarantor", "insurer", "investor", "agency", "enterprise", "anonymous")

REG = frozenset({"platform_admin", "city_admin", "city_officer", "city_viewer", "district"})
REG_WRITERS = frozenset({"platform_admin", "city_admin", "city_officer"})
FIN = frozenset({"bank_officer", "bank_viewer", "guarantor", "insurer", "investor", "agency"})
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
EVERYONE = frozenset(ROLES)
NOBODY: frozenset[str] = frozenset()

#: Names served to anybody or handled elsewhere (Django's own admin has staff permissions).
EXEMPT_PREFIXES = ("admin:",)


class Rule:
    """Who gets 200 on GET (``get``; ``None``: the route is not read with GET) and whether the route
    writes (``post``): a write is refused to viewers and foreign organisations."""

    def __init__(self, get: frozenset[str] | None, post: bool = False):
        self.get = get
        self.post = post


def R(get, post=False):
    return Rule(get, post)


W = Rule(None, post=True)  # a write-only route

ADMIN_ONLY = frozenset({"platform_admin"})

#: The rule table, keyed by URL name: who reads with 200 (everyone else is refused: 403/404 when
#: signed in, the login redirect or 401/403 when anonymous) and whether the route writes.
#: Object routes read the demo enterprise's own objects (see ``_params``); ``NOBODY`` marks a route
#: whose object the demo data lacks (all refused/404: still checked for no leak).
RULES: dict[str, Rule] = {
    "accounts:login": R(EVERYONE),
    "accounts:logout": R(None, post=True),
    "api-docs": R(EVERYONE),
    "api-root": R(SIGNED_IN),
    "api-schema": R(EVERYONE),
    "consent-detail": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),
    "consent-list": R(SIGNED_IN, post=True),
    "consent-revoke": R(None, post=True),
    "core:audit_list": R(SIGNED_IN),  # institutions see their own organisation's entries
    "workbench:home": R(SIGNED_IN),
    "enterprise-detail": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),
    "enterprise-evaluation-list": R(REG | {"bank_officer", "bank_viewer", "enterprise"}, post=True),
    "enterprise-evaluation-what-if": R(None),  # computes for a visible enterprise, stores nothing
    "enterprise-facts": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),
    "enterprise-list": R(SIGNED_IN, post=True),
    "enterprise-rating-list": R(REG | {"bank_officer", "bank_viewer", "enterprise"}, post=True),
    "enterprises:consent_grant": R(None, post=True),
    "enterprises:consent_list": R(SIGNED_IN),
    "enterprises:consent_revoke": R(None, post=True),
    "enterprises:enterprise_detail": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),
    "enterprises:enterprise_list": R(SIGNED_IN),
    "evaluation:evaluationresult_report": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),
    "evaluation:evaluationrun_detail": R(REG_WRITERS | {"city_viewer"}),
    "evaluation:evaluationrun_list": R(REG),
    "evaluation:tierplacement_list": R(REG),
    "evaluationresult-list": R(REG_WRITERS | {"city_viewer"}, post=True),
    "evaluationrun-detail": R(REG_WRITERS | {"city_viewer"}),
    "evaluationrun-evaluate": R(None),  # evaluates posted records, stores nothing
    "evaluationrun-list": R(REG, post=True),
    "importrun-detail": R(REG_WRITERS),
    "importrun-list": R(REG_WRITERS, post=True),
    "importrun-resume": R(None, post=True),
    "importrun-upload": R(None, post=True),
    "ingest:export": R(REG_WRITERS),
    "ingest:importrun_detail": R(REG_WRITERS),
    "ingest:importrun_list": R(REG_WRITERS),
    "ingest:importrun_resume": R(None, post=True),
    "ingest:quarantinedrow_detail": R(NOBODY),
    "ingest:quarantinedrow_fix": R(NOBODY, post=True),  # the demo has no quarantined row
    "ingest:template": R(SIGNED_IN),
    "marketplace-demand-apply": R(None, post=True),
    "marketplace-demand-detail": R(REG | {"agency", "bank_officer", "bank_viewer", "enterprise"}),
    "marketplace-demand-grab": R(None, post=True),
    "marketplace-demand-list": R(SIGNED_IN, post=True),
    "marketplace-demand-matches": R(REG | {"agency", "bank_officer", "bank_viewer", "enterprise"}),
    "marketplace-firstloan-detail": R(REG_WRITERS | {"city_viewer"}),
    "marketplace-firstloan-list": R(SIGNED_IN, post=True),
    "marketplace-leg-decide": R(None, post=True),
    "marketplace-leg-default": R(None, post=True),
    "marketplace-leg-detail": R(ADMIN_ONLY | {"city_admin", "city_officer", "city_viewer", "bank_officer", "bank_viewer",
                                              "guarantor"}),  # the region's regulator, as on the request
    "marketplace-leg-list": R(SIGNED_IN, post=True),
    "marketplace-metrics-breakdown": R(REG),
    "marketplace-metrics-list": R(REG, post=True),
    "marketplace-product-detail": R(SIGNED_IN),
    "marketplace-product-list": R(SIGNED_IN, post=True),
    "marketplace-queue-list": R(frozenset({
        "bank_officer", "bank_viewer", "guarantor", "insurer", "investor"}), post=True),
    "marketplace-request-consent": R(None, post=True),
    "marketplace-request-contract": R(None, post=True),
    "marketplace-request-decide": R(None, post=True),
    "marketplace-request-detail": R(REG | {"agency", "bank_officer", "bank_viewer", "enterprise", "guarantor", "insurer"}),
    "marketplace-request-disburse": R(None, post=True),
    "marketplace-request-legs": R(None, post=True),
    "marketplace-request-list": R(SIGNED_IN, post=True),
    "marketplace-request-pick-up": R(None, post=True),
    "marketplace-request-reroute": R(None, post=True),
    "marketplace-request-review": R(None, post=True),
    "marketplace-request-withdraw": R(None, post=True),
    "marketplace-roadshow-detail": R(SIGNED_IN),
    "marketplace-roadshow-follow-up": R(None, post=True),
    "marketplace-roadshow-held": R(None, post=True),
    "marketplace-roadshow-list": R(SIGNED_IN, post=True),
    "marketplace-roadshow-register": R(None, post=True),
    "marketplace-visit-detail": R(ADMIN_ONLY | {"city_admin", "city_officer", "city_viewer", "agency"}),
    "marketplace-visit-list": R(SIGNED_IN, post=True),
    "marketplace-whitelist-detail": R(REG_WRITERS | {"city_viewer"}),
    "marketplace-whitelist-list": R(SIGNED_IN, post=True),
    "marketplace:advisor_assign": R(REG_WRITERS | {"agency"}, post=True),
    "marketplace:demand_apply": R(None, post=True),
    "marketplace:demand_create": R(frozenset({"enterprise"}), post=True),
    "marketplace:demand_detail": R(REG | {"agency", "bank_officer", "bank_viewer", "enterprise"}),
    "marketplace:demand_grab": R(None, post=True),
    "marketplace:first_loan_create": R(REG_WRITERS | {"agency"}, post=True),
    "marketplace:first_loan_update": R(REG_WRITERS, post=True),
    "ip:home": R(SIGNED_IN),  # the enterprise its IP, others the registry
    "ip:enterprise_ip": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),  # the bank under the demo consent
    "ip:valuation_run": R(None, post=True),
    "ip:pledge_create": R(frozenset({"bank_officer"}), post=True),  # a writer of a financial institution with consent
    "ip:pledge_list": R(SIGNED_IN),  # each sees the pledges in its scope
    "ip:pledge_detail": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),  # the pledgee is the demo bank
    "ip:pledge_release": R(None, post=True),
    "ip-valuation-list": R(SIGNED_IN),
    "ip-valuation-detail": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),
    "ip-enterprise-list": R(SIGNED_IN),
    "ip-enterprise-value": R(None, post=True),
    "ip-enterprise-loan-limit": R(None),  # needs ?product_id=; reads only (kechuang/ip/tests/test_api.py)
    "ip-pledge-list": R(SIGNED_IN, post=True),
    "ip-pledge-detail": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),
    "ip-pledge-release": R(None, post=True),
    "ip-pledgerate-list": R(SIGNED_IN, post=True),
    "ip-pledgerate-detail": R(SIGNED_IN),  # public like the catalogue
    "trade:market": R(SIGNED_IN),  # listed items are public to every signed-in user
    "trade:mine": R(SIGNED_IN),
    "trade:listing_create": R(frozenset({"enterprise"}), post=True),  # a writer of an IP-holding organisation
    "trade:listing_detail": R(SIGNED_IN),  # the demo enterprise's listing is on the market
    "trade:listing_withdraw": R(None, post=True),
    "trade:interest": R(None, post=True),
    "trade:deal_list": R(SIGNED_IN),  # each sees the deals in its scope
    "trade:deal_export": R(REG),
    "trade:deal_detail": R(REG | {"enterprise"}),  # the parties and the seller's district's regulators
    "trade:deal_step": R(None, post=True),
    "trade:pledgee_consent": R(None, post=True),
    "trade:pledge_proceeds": R(None, post=True),
    "trade-listing-list": R(SIGNED_IN, post=True),
    "trade-listing-detail": R(SIGNED_IN),
    "trade-listing-interest": R(None, post=True),
    "trade-listing-withdraw": R(None, post=True),
    "trade-deal-list": R(SIGNED_IN),
    "trade-deal-detail": R(REG | {"enterprise"}),
    "trade-deal-turnover": R(SIGNED_IN),
    "trade-deal-negotiate": R(None, post=True),
    "trade-deal-agree": R(None, post=True),
    "trade-deal-sign": R(None, post=True),
    "trade-deal-register": R(None, post=True),
    "trade-deal-withdraw": R(None, post=True),
    "marketplace:home": R(frozenset({
        "bank_officer", "bank_viewer", "guarantor", "insurer", "investor", "agency", "enterprise"})),
    "marketplace:leg_create": R(NOBODY, post=True),
    "marketplace:leg_decide": R(None, post=True),
    "marketplace:leg_default_book": R(None, post=True),
    "marketplace:metrics": R(REG),
    "marketplace:metrics_xlsx": R(REG),
    "marketplace:pools": R(REG | {"agency", "bank_officer", "bank_viewer", "guarantor", "insurer", "investor"}),
    "marketplace:product_create": R(frozenset({"bank_officer", "guarantor", "insurer", "investor"}), post=True),
    "marketplace:product_list": R(SIGNED_IN),
    "marketplace:product_update": R(frozenset({"bank_officer"}), post=True),  # the first product is the bank's
    "marketplace:product_rule_words": R(None),  # a POST that only renders the rule in words: writes nothing
    "marketplace:enterprise_lookup": R(SIGNED_IN),  # answers within restrict(user, "view")
    "marketplace:request_rate": R(None, post=True),
    "marketplace:request_action": R(None, post=True),
    "marketplace:request_detail": R(REG | {"agency", "bank_officer", "bank_viewer", "enterprise", "guarantor", "insurer"}),  # they hold legs on it
    "marketplace:roadshow_create": R(REG_WRITERS | {"agency"}, post=True),
    "marketplace:roadshow_detail": R(SIGNED_IN),
    "marketplace:roadshow_follow_up": R(None, post=True),
    "marketplace:roadshow_mark_held": R(None, post=True),
    "marketplace:roadshow_register": R(None, post=True),
    "marketplace:visit_create": R(ADMIN_ONLY | {"agency"}, post=True),
    "marketplace:whitelist_create": R(REG_WRITERS | {"agency", "bank_officer", "guarantor"}, post=True),
    "quarantinedrow-detail": R(NOBODY),
    "quarantinedrow-discard": R(None, post=True),
    "quarantinedrow-list": R(REG_WRITERS, post=True),
    "quarantinedrow-resubmit": R(None, post=True),
    "points:pointsmodel_detail": R(REG),
    "points:pointsmodel_list": R(REG, post=True),
    "points:pointsresult_card": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),
    "points:pointsresult_list": R(SIGNED_IN),
    "points:pointsrun_detail": R(REG_WRITERS | {"city_viewer"}),
    "points:pointsrun_export": R(REG_WRITERS | {"city_viewer"}),
    "points:pointsrun_list": R(REG, post=True),
    "pointsmodel-detail": R(REG),
    "pointsmodel-list": R(SIGNED_IN, post=True),
    "pointsresult-detail": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),
    "pointsresult-list": R(SIGNED_IN),
    "pointsrun-detail": R(REG_WRITERS | {"city_viewer"}),
    "pointsrun-list": R(SIGNED_IN, post=True),
    "talent:team": R({"platform_admin", "enterprise"}, post=True),
    "talent:person_detail": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),
    "talent:mine": R(SIGNED_IN),
    "talent:talentconsent_revoke": W,
    "talent:consented": R(FIN | {"platform_admin"}),
    "talent:distribution": R(REG, post=True),
    "talent:export": R(SIGNED_IN),
    "talentvaluation-list": R(SIGNED_IN),
    "talentvaluation-detail": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),
    "talentconsent-list": R(SIGNED_IN, post=True),
    "talentperson-list": R(SIGNED_IN, post=True),
    "talentperson-detail": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),
    "talentconsent-detail": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),
    "talentconsent-revoke": W,
    "talentrun-list": R(SIGNED_IN),
    "talentrun-detail": R(REG - {"district"}),
    "talent:talentperson_add": R({"enterprise"}, post=True),
    "talent:talentperson_edit": R({"platform_admin", "enterprise"}, post=True),
    "talent:talentperson_import": R({"enterprise"}, post=True),
    "talent:talentperson_template": R({"enterprise"}),
    "talent:talentconsent_record": R({"enterprise"}, post=True),
    "talent:talentconsent_add": R(NOBODY, post=True),  # the person's own page: no demo role is a person
    "talent:valuationrun_progress": R(REG - {"district"}),
    "points:pointsrun_progress": R(REG_WRITERS | {"city_viewer"}),
    "rating:ratingmodel_detail": R(REG),
    "rating:ratingmodel_list": R(REG),
    "rating:ratingresult_card": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),
    "rating:ratingresult_list": R(SIGNED_IN),
    "rating:ratingrun_detail": R(REG_WRITERS | {"city_viewer"}),
    "rating:ratingrun_export": R(REG_WRITERS | {"city_viewer"}),
    "rating:ratingrun_list": R(REG),
    "rating:training_detail": R(NOBODY),
    "ratingmodel-detail": R(REG),
    "ratingmodel-list": R(SIGNED_IN, post=True),
    "ratingmodel-promote": R(None, post=True),
    "ratingmonitoring-list": R(SIGNED_IN, post=True),
    "ratingresult-detail": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),
    "ratingresult-list": R(SIGNED_IN, post=True),
    "ratingrun-detail": R(REG_WRITERS | {"city_viewer"}),
    "ratingrun-list": R(SIGNED_IN, post=True),
    "set_language": R(None),
    "targets-livemetric-list": R(REG, post=True),
    "targets-plan-check": R(REG),
    "targets-plan-detail": R(REG),
    "targets-plan-list": R(REG, post=True),
    "targets-plan-progress": R(REG),
    "targets-task-detail": R(REG),
    "targets-task-list": R(SIGNED_IN, post=True),
    "targets-task-report": R(None, post=True),
    "listing:pool_overview": R(REG),
    "listing:pool_run_create": W,
    "listing:pool_run_progress": R(REG_WRITERS | {"city_viewer"}),
    "listing:enterprise_listing": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),
    "listing:milestone_create": W,
    "listing-run-list": R(REG, post=True),
    "listing-run-detail": R(REG_WRITERS | {"city_viewer"}),
    "listing-placement-list": R(SIGNED_IN),
    "listing-placement-detail": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),
    "listing-milestone-list": R(SIGNED_IN, post=True),
    "listing-milestone-detail": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),
    "listing-award-list": R(SIGNED_IN),
    "enterprise-listing-list": R(REG | {"bank_officer", "bank_viewer", "enterprise"}),
    "funds-claim-approve": R(None, post=True),
    "funds-claim-clawback": R(None, post=True),
    "funds-claim-decline": R(None, post=True),
    "funds-claim-detail": R(REG_WRITERS | {"city_viewer", "bank_officer", "bank_viewer"}),  # the bank's loss claim
    "funds-claim-list": R(SIGNED_IN, post=True),  # a create: an application
    "funds-claim-pay": R(None, post=True),
    "funds-claim-review": R(None, post=True),
    "funds-programme-detail": R(SIGNED_IN),
    "funds-programme-list": R(SIGNED_IN),
    "funds-programme-propose": R(None, post=True),
    "funds:claim_action": R(None, post=True),
    "funds:claim_detail": R(REG_WRITERS | {"city_viewer", "bank_officer", "bank_viewer"}),  # the bank's loss claim
    "funds:claim_list": R(SIGNED_IN),  # each sees the claims restrict() gives it
    "funds:claims_xlsx": R(REG),
    "funds:dashboard": R(REG),
    "funds:entitlements": R(frozenset({"enterprise"})),  # others name an enterprise (?enterprise=)
    "funds:home": R(NOBODY),  # redirects each role to its page
    "funds:programme_detail": R(SIGNED_IN),
    "funds:programme_list": R(SIGNED_IN),
    "funds:programme_propose": R(None, post=True),
    "funds:loan_repayments": R(REG | {"agency", "bank_officer", "bank_viewer", "enterprise", "guarantor", "insurer"}, post=True),  # as the loan; its bank records
    "funds:repayment_import": R(frozenset({"platform_admin", "bank_officer"}), post=True),  # bank writers
    "funds:repayment_template": R(SIGNED_IN),  # a blank workbook
    "funds-repayment-list": R(SIGNED_IN, post=True),  # each sees the records restrict() gives it
    "funds-repayment-detail": R(REG_WRITERS | {"city_viewer", "bank_officer", "bank_viewer"}),  # the demo bank's record
    "funds-repayment-batch": R(None, post=True),
    "funds:programme_simulate": R(REG),  # computes, stores nothing
    "funds:programme_apply": R(frozenset({"bank_officer"}), post=True),  # the first programme pays banks
    "targets:cockpit": R(REG),
    "targets:cockpit_print": R(REG),
    "targets:index_report": R(REG),
    "targets:indicatorvalue_add": R(None, post=True),
    "targets:indicator_live_link": R(None, post=True),
    "targets:plan_check": R(REG),
    "targets:plan_detail": R(REG),
    "targets:plan_import": R(None, post=True),
    "targets:plan_list": R(REG),
    "targets:plan_template": R(NOBODY),
    "targets:task_add_action": R(None, post=True),
    "targets:task_detail": R(REG),
    "targets:task_list": R(REG),
    "targets:unit_link": R(None, post=True),
    "targets:unit_scorecard": R(REG),
    "targets:valueflag_list": R(REG),
    "targets:valueflag_resolve": R(None, post=True),
    "tierplacement-list": R(REG_WRITERS | {"city_viewer"}, post=True),
    "supervision:dashboard": R(REG, post=True),  # a registered organisation's user is sent to its own page (302)
    "supervision:export": R(REG),
    "supervision:org_detail": R(REG | {"guarantor"}, post=True),  # the demo guarantor's own record, in 历下区
    "supervision:template": R(REG | {"guarantor"}),
    "supervision:upload": R(REG | {"guarantor"}, post=True),
    "supervision:upload_detail": R(REG_WRITERS | {"city_viewer", "guarantor"}),  # the guarantor's rejected file
    "supervisedorg-detail": R(REG | {"guarantor"}),
    "supervisedorg-list": R(SIGNED_IN, post=True),
    "supervisionbreach-detail": R(REG_WRITERS | {"city_viewer"}),  # a breach in 市中区
    "supervisionbreach-list": R(SIGNED_IN),
    "supervisioninspection-detail": R(REG | {"guarantor"}),
    "supervisioninspection-list": R(SIGNED_IN, post=True),
    "supervisioninspection-rectify": R(None, post=True),
    "supervisionrating-detail": R(REG | {"guarantor"}),
    "supervisionrating-list": R(SIGNED_IN),
    "supervisionreport-detail": R(REG | {"guarantor"}),
    "supervisionreport-list": R(SIGNED_IN, post=True),
    "supervisionupload-detail": R(REG_WRITERS | {"city_viewer", "guarantor"}),
    "supervisionupload-list": R(SIGNED_IN),
    "risk:backtest": R(REG, post=True),
    "risk:portfolio": R(SIGNED_IN),
    "risk:riskcase_detail": R(REG_WRITERS | {"city_viewer", "agency"}, post=True),
    "risk:riskcase_list": R(SIGNED_IN),
    "risk:warning_detail": R(REG_WRITERS | {"city_viewer", "bank_officer", "bank_viewer", "guarantor", "agency"},
                             post=True),
    "risk:warningrun_concentration": R(REG_WRITERS | {"city_viewer"}),
    "risk:warningrun_detail": R(REG_WRITERS | {"city_viewer"}),
    "risk:warningrun_export": R(REG_WRITERS | {"city_viewer"}),
    "risk:warningrun_list": R(REG, post=True),
    "riskcase-add-action": R(None, post=True),
    "riskcase-close": R(None, post=True),
    "riskcase-detail": R(REG_WRITERS | {"city_viewer", "agency"}),
    "riskcase-list": R(SIGNED_IN, post=True),
    "riskportfolio-list": R(SIGNED_IN),
    "riskrun-concentration": R(REG_WRITERS | {"city_viewer"}),
    "riskrun-detail": R(REG_WRITERS | {"city_viewer"}),
    "riskrun-list": R(SIGNED_IN, post=True),
    "riskwarning-detail": R(REG_WRITERS | {"city_viewer", "bank_officer", "bank_viewer", "guarantor", "agency"}),
    "riskwarning-list": R(SIGNED_IN),
    "riskwarning-respond": R(None, post=True),

}

RECORD = os.environ.get("KECHUANG_MATRIX_RECORD")


def walk(resolver=None, prefix: str = "", ns: str | None = None):
    """``(route, url name, pattern)`` for every URL of the configuration."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            inner = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
            yield from walk(p, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            name = p.name and (f"{ns}:{p.name}" if ns else p.name)
            yield prefix + str(p.pattern), name, p


def routes() -> list[tuple[str, str]]:
    """One concrete route per URL name (format-suffix variants of API routes are left out)."""
    seen: dict[str, str] = {}
    for route, name, _p in walk():
        if name is None or name.startswith(EXEMPT_PREFIXES) or "<drf_format_suffix" in route:
            continue
        if "(?P<format>" in route:
            continue
        seen.setdefault(name, route)
    return sorted(seen.items())


def test_every_url_name_has_a_rule():
    missing = [name for name, _route in routes() if name not in RULES]
    assert missing == [], f"new endpoint without a rule: {missing}"
    stale = sorted(set(RULES) - {name for name, _route in routes()})
    assert stale == [], f"rules for routes that no longer exist: {stale}"


# --- the world -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        demo_load(n=80)
        User = get_user_model()
        users = {
            "city_admin": "regulator", "city_officer": "officer", "city_viewer": "kejiju", "district": "lixia",
            "bank_officer": "bank", "guarantor": "guarantor", "insurer": "insurer", "investor": "investor",
            "agency": "agency", "enterprise": "enterprise"}
        people = {role: User.objects.get(username=name) for role, name in users.items()}
        people["platform_admin"] = User.objects.create_superuser("matrix-root", password="x-123456789")
        bank_org = people["bank_officer"].organization
        people["bank_viewer"] = User.objects.create_user("matrix-bank-viewer", password="x-123456789",
                                                         organization=bank_org, role=Role.VIEWER)
        params = _params(people)
    yield {"people": people, "params": params}
    with django_db_blocker.unblock():
        # the audit log is append-only: its triggers are lifted for the flush only (as conftest does)
        audit_triggers_disable(connection)
        try:
            call_command("flush", interactive=False, verbosity=0)
        finally:
            audit_triggers_enable(connection)


def _first(model: str, **filters):
    m = apps.get_model(model)
    row = m.objects.filter(**filters).order_by("pk").first()
    return row.pk if row is not None else 999999


def _params(people) -> dict[str, dict[str, object]]:
    """Path parameters per URL name's model: objects the enterprise login and the district may
    reach where there are such, so a 200 is possible for someone."""
    Enterprise = apps.get_model("enterprises", "Enterprise")
    ent = people["enterprise"].organization.enterprise
    own = Enterprise.objects.get(pk=ent.pk)
    run = apps.get_model("evaluation", "EvaluationRun").objects.filter(status="succeeded").order_by("pk").first()
    rating_run = apps.get_model("rating", "RatingRun").objects.filter(status="succeeded").order_by("pk").first()
    plan = apps.get_model("targets", "Plan").objects.order_by("pk").first()
    job = apps.get_model("rating", "RatingModel").objects.order_by("pk").first()
    return {
        "enterprise": {"pk": own.pk, "uscc": own.uscc},
        "consent": {"pk": _first("enterprises.Consent", enterprise=own)},
        "importrun": {"pk": _first("ingest.ImportRun")},
        "quarantinedrow": {"pk": _first("ingest.QuarantinedRow")},
        "evaluationrun": {"pk": run.pk if run else 999999, "run_id": run.pk if run else 999999},
        "ratingrun": {"pk": rating_run.pk if rating_run else 999999},
        "ratingresult": {"pk": _first("rating.RatingResult", enterprise=own)},
        "ratingmodel": {"pk": job.pk if job else 999999},
        "training": {"pk": _first("core.Job", kind="rating.train")},
        "demand": {"pk": _first("marketplace.Demand", enterprise=own)},
        "request": {"pk": _first("marketplace.FinancingRequest", demand__enterprise=own), "verb": "pick_up"},
        "leg": {"pk": _first("marketplace.Leg"), "verb": "approve"},
        "product": {"pk": _first("marketplace.Product")},
        "firstloan": {"pk": _first("marketplace.FirstLoanCandidate")},
        "whitelist": {"pk": _first("marketplace.WhitelistEntry")},
        "visit": {"pk": _first("marketplace.AdvisorVisit")},
        "assignment": {"pk": _first("marketplace.AdvisorAssignment")},
        "roadshow": {"pk": _first("marketplace.Roadshow")},
        "plan": {"pk": plan.pk if plan else 999999, "year": 2020},
        "indicator": {"pk": _first("targets.Indicator")},
        "valueflag": {"pk": _first("targets.ValueFlag")},
        "task": {"pk": _first("targets.Task")},
        "unit": {"pk": _first("targets.Unit")},
        "pointsrun": {"pk": _first("points.PointsRun", region_code="370100")},
        "pointsresult": {"pk": _first("points.PointsResult", enterprise=own, run__region_code="370100")},
        "pointsmodel": {"pk": _first("points.PointsModel")},
        **_talent_params(own),
        "template": {"kind": "plan"},
        "ipvaluation": {"pk": _first("ip.IPValuation", enterprise=own)},
        "pledge": {"pk": _first("ip.Pledge", enterprise=own)},
        "pledgerate": {"pk": _first("ip.PledgeRate")},
        "poolrun": {"pk": _first("listing.PoolRun")},
        "poolplacement": {"pk": _first("listing.PoolPlacement", enterprise=own)},
        "milestone": {"pk": _first("listing.Milestone", enterprise=own)},
        "tradelisting": {"pk": _first("trade.Listing", holder=own, status="listed")},
        "tradedeal": {"pk": _first("trade.Deal", holder=own), "verb": "negotiate"},
        "claim": {"pk": _first("funds.Claim", claimant_org__kind=K.BANK), "verb": "review"},
        "repayment": {"pk": _first("funds.Repayment")},
        "programme": {"pk": _first("funds.Programme")},
        **_risk_params(),
        **_supervision_params(),
    }


def _talent_params(own) -> dict[str, dict[str, object]]:
    """The demo enterprise's first person (who gave the demo bank a 人才贷 consent), that person's
    latest valuation and consent, and the city's valuation run."""
    person = apps.get_model("talent", "TalentPerson").objects.filter(enterprise=own).order_by("pk").first()
    pk = person.pk if person else 999999
    return {"talentperson": {"pk": pk},
            "talentvaluation": {"pk": _first("talent.Valuation", person_id=pk)},
            "talentconsent": {"pk": _first("talent.TalentConsent", person_id=pk, revoked_at__isnull=True)},
            "talentrun": {"pk": _first("talent.ValuationRun", region_code="370100")}}


def _risk_params() -> dict[str, dict[str, object]]:
    """The demo's latest warning run, the warning on the enterprise whose guarantee was paid out
    (the bank, the guarantor and the advisor reach it) and an open case."""
    run = apps.get_model("risk", "WarningRun").objects.filter(status="succeeded").order_by("-pk").first()
    leg = apps.get_model("marketplace", "Leg").objects.filter(state="defaulted").select_related("request__demand").first()
    warning = None if run is None or leg is None else apps.get_model("risk", "EnterpriseWarning").objects.filter(
        run=run, enterprise_id=leg.request.demand.enterprise_id).first()
    return {"riskrun": {"pk": run.pk if run else 999999},
            "riskwarning": {"pk": warning.pk if warning else 999999},
            "riskcase": {"pk": _first("risk.RiskCase", status="open")}}


def _supervision_params() -> dict[str, dict[str, object]]:
    """The demo's organisation linked to the demo guarantor (历下区) with its report, rating and
    inspection, a breach of another organisation (市中区) and the guarantor's rejected upload."""
    own = apps.get_model("supervision", "SupervisedOrg").objects.filter(institution__name="示范融资担保有限公司（演示）").first()
    return {"supervisedorg": {"pk": own.pk if own else 999999},
            "supervisionreport": {"pk": _first("supervision.PeriodicReport", org=own)},
            "supervisionrating": {"pk": _first("supervision.OrgRating", org=own)},
            "supervisioninspection": {"pk": _first("supervision.Inspection", org=own)},
            "supervisionbreach": {"pk": _first("supervision.RatioBreach", region_code="370103")},
            "supervisionupload": {"pk": _first("supervision.ReportUpload")}}


#: Which fixture object fills a URL name's path parameters (by the name's model word).
PARAM_SOURCES = [
    (r"^talent:(talentperson_edit|talentconsent_record)$", "talentperson"), (r"^talent:valuationrun", "talentrun"),
    (r"^funds:loan_repayments$", "request"), (r"^funds-repayment", "repayment"),
    (r"^talent:person_detail$|^talentperson", "talentperson"), (r"^talentvaluation", "talentvaluation"), (r"^talent(consent|:talentconsent)", "talentconsent"), (r"^talentrun", "talentrun"),
    (r"^ip:(valuation_run|pledge_create)$|^ip-enterprise", "enterprise"), (r"^ip-valuation", "ipvaluation"),
    (r"^ip-pledgerate", "pledgerate"), (r"^ip[:-]pledge", "pledge"),
    (r"^trade[:-]listing|^trade:interest", "tradelisting"), (r"^trade[:-]deal", "tradedeal"),
    (r"^trade:pledgee_consent", "pledge"),
    (r"listing-run|listing:pool_run_progress", "poolrun"), (r"listing-placement", "poolplacement"), (r"listing-milestone", "milestone"),
    (r"riskrun|warningrun", "riskrun"), (r"riskwarning|risk:warning_detail", "riskwarning"), (r"riskcase", "riskcase"),
    (r"enterprise-(evaluation|rating)|evaluationresult_report|ratingresult_card|enterprise", "enterprise"),
    (r"consent", "consent"), (r"importrun", "importrun"), (r"quarantinedrow", "quarantinedrow"),
    (r"evaluationrun|evaluationresult|tierplacement", "evaluationrun"), (r"ratingrun", "ratingrun"),
    (r"ratingresult", "ratingresult"), (r"ratingmodel", "ratingmodel"), (r"training", "training"),
    (r"demand", "demand"), (r"request|leg_create", "request"), (r"leg", "leg"), (r"product", "product"),
    (r"first_?loan", "firstloan"), (r"whitelist", "whitelist"), (r"visit_create", "assignment"),
    (r"visit", "visit"), (r"roadshow", "roadshow"), (r"plan_template", "template"), (r"plan", "plan"),
    (r"indicatorvalue|task_add_action", "indicator"), (r"valueflag", "valueflag"), (r"task", "task"),
    (r"unit", "unit"), (r"funds[:-]claim", "claim"), (r"funds[:-]programme", "programme"),
    (r"unit", "unit"),
    (r"pointsresult_card", "enterprise"), (r"pointsrun", "pointsrun"), (r"pointsresult", "pointsresult"),
    (r"pointsmodel", "pointsmodel"),
    (r"supervisedorg|supervision:org_detail", "supervisedorg"), (r"supervisionreport", "supervisionreport"),
    (r"supervisionrating", "supervisionrating"), (r"supervisioninspection", "supervisioninspection"),
    (r"supervisionbreach", "supervisionbreach"), (r"supervisionupload|supervision:upload_detail", "supervisionupload"),
]


#: Query strings a route needs to answer at all.
QUERIES = {"targets-plan-check": "?year=2020"}


def _url(route: str, name: str, params: dict) -> str:
    source = next((src for pat, src in PARAM_SOURCES if re.search(pat, name)), None)
    values = params.get(source, {}) if source else {}

    def fill(m):
        key = m.group(1) or m.group(2)
        return str(values.get(key, 999999))
    path = re.sub(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", fill, route)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path + QUERIES.get(name, "")


def _client(world, role: str) -> Client:
    c = Client()
    if role != "anonymous":
        c.force_login(world["people"][role])
    return c


def _counts() -> dict[str, int]:
    """Row counts of every table a write could touch."""
    return {m._meta.label: m.objects.count() for m in apps.get_models()
            if m._meta.app_label in {"accounts", "enterprises", "ingest", "evaluation", "rating",
                                     "marketplace", "targets", "core", "ip", "listing", "funds", "trade",
                                     "risk", "points", "talent", "supervision"}}


def _denied(status: int, role: str, api: bool) -> bool:
    """Not served: refused, not found, or (a page) sent to the login or to the user's own home."""
    if role == "anonymous":
        return status in ((401, 403) if api else (302,))
    return status in ((403, 404) if api else (302, 403, 404))


READ_ROUTES = [(n, r) for n, r in routes()]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route"), READ_ROUTES, ids=[n for n, _r in READ_ROUTES])
def test_get_matrix(world, name, route):
    rule = RULES.get(name)
    url = _url(route, name, world["params"])
    api = url.startswith("/api/")
    observed = {role: _client(world, role).get(url).status_code for role in ROLES}
    if RECORD:
        with open(RECORD, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"name": name, "url": url, "get": observed}) + "\n")
    if rule is None:
        pytest.fail(f"new endpoint without a rule: {name}")
    if rule.get is None:
        return
    wrong = {role: st for role, st in observed.items()
             if (role in rule.get and st != 200) or (role not in rule.get and not _denied(st, role, api))}
    assert wrong == {}, f"{name} {url}: expected 200 only for {sorted(rule.get)}"


WRITE_ROUTES = [(n, r) for n, r in routes()]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route"), WRITE_ROUTES, ids=[n for n, _r in WRITE_ROUTES])
def test_writes_refused_to_viewers_and_foreign_organisations(world, name, route):
    """A POST by a viewer (city, bank) or by an unrelated organisation changes nothing."""
    rule = RULES.get(name)
    if rule is None and not RECORD:
        pytest.fail(f"new endpoint without a rule: {name}")
    if not RECORD and not rule.post:
        return
    url = _url(route, name, world["params"])
    foreign = _foreign(world)
    for who in ("city_viewer", "bank_viewer", "foreign"):
        user = foreign if who == "foreign" else world["people"][who]
        c = Client()
        c.force_login(user)
        before = _counts()
        if url.startswith("/api/"):
            status = c.post(url, data={}, content_type="application/json")
        else:
            status = c.post(url, data={})
        after = _counts()
        if RECORD:
            with open(RECORD, "a", encoding="utf-8") as fh:
                fh.write(json.dumps({"name": name, "url": url, "post": who, "status": status.status_code,
                                     "changed": {k: after[k] - before[k] for k in after if after[k] != before[k]}})
                         + "\n")
        changed = {k: after[k] - before[k] for k in after if after[k] != before[k]}
        # on a create route the foreign organisation may be a legitimate creator: its empty POST is
        # rejected (400, or the form shown again with errors) and still writes nothing
        refused = (302, 403, 404, 405) if who != "foreign" or not _creates(name) else (200, 302, 400, 403, 404, 405)
        assert (status.status_code in refused, changed) == (True, {}), \
            f"{name} {url} as {who}: {status.status_code}, changed {changed}"


#: Routes open to any organisation of the right kind (grab an open demand, register for or follow
#: up a public roadshow): nobody is foreign to them.
OPEN_TO_ALL = {"marketplace-demand-grab", "marketplace-roadshow-register", "marketplace-roadshow-follow-up"}
OPEN_TO_ALL |= {"funds-repayment-batch"}  # a create: records of the caller's own loans, refused (400) otherwise


def _creates(name: str) -> bool:
    """A create route: there is no object a foreign organisation could be foreign to, so its POST
    may also be rejected as invalid (400); it still writes nothing."""
    return name.endswith("-list") or name.endswith(("_create", "_assign", ":consent_grant")) or name in OPEN_TO_ALL


def _foreign(world):
    User = get_user_model()
    user = User.objects.filter(username="matrix-foreign").first()
    if user is None:
        org = Organization.objects.create(name="无关机构（矩阵测试）", kind=K.INSURER, region_id="370100")
        user = User.objects.create_user("matrix-foreign", password="x-123456789", organization=org,
                                        role=Role.ADMIN)
    return user
