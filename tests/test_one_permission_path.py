"""Issue 10, point 3 and 4: one permission path everywhere.

Every API viewset serving rows of a model with a ``RestrictedQuerySet`` gets them through the base
mixin (``restrict(user, action)``, the action from the HTTP method); the list and detail pages
of the enterprise, evaluation, rating and targets apps through the page mixin; and the consent rules live
in ``accounts/access.py`` only (no queryset branches on an organisation's kind). The holes the
hand-written paths left are pinned by behaviour: a foreign institution's withdrawn product, and
consents and legs still listed to the officer of a deactivated institution."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

import kechuang
from kechuang.accounts.choices import OrganizationKind as K
from kechuang.core.restricted import RestrictedPageMixin, RestrictedViewSetMixin
from kechuang.enterprises.models import Consent
from kechuang.enterprises.tests.factories import organization, regulator, user
from kechuang.marketplace import services as ms
from kechuang.marketplace.tests.factories import enterprise, institution, loan_product

ROOT = Path(kechuang.__file__).resolve().parent


def _patterns(resolver=None, prefix=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _restricted_model(model) -> bool:
    return model is not None and hasattr(model._default_manager, "restrict")


def test_every_viewset_of_restricted_rows_uses_the_base_mixin():
    # given every DRF viewset the URL configuration routes to
    viewsets = {p.callback.cls for _route, p in _patterns() if hasattr(p.callback, "cls")
                and getattr(p.callback.cls, "queryset", None) is not None}
    serving = {cls for cls in viewsets if _restricted_model(cls.queryset.model)}
    # then each that serves rows of a restricted model restricts them through the mixin
    assert len(serving) >= 18  # enterprises, consents, runs, results, products, requests, legs, pools …
    assert sorted(cls.__name__ for cls in serving if not issubclass(cls, RestrictedViewSetMixin)) == []


PAGES = ["enterprises:enterprise_list", "enterprises:enterprise_detail", "enterprises:consent_list",
         "evaluation:evaluationresult_report", "evaluation:tierplacement_list", "evaluation:evaluationrun_list",
         "evaluation:evaluationrun_detail", "rating:ratingrun_list", "rating:ratingrun_detail",
         "rating:ratingrun_export", "rating:ratingresult_card", "rating:ratingresult_list", "rating:ratingmodel_list",
         "rating:ratingmodel_detail", "targets:plan_list", "targets:plan_detail", "targets:plan_check",
         "targets:task_list", "targets:task_detail"]


def test_list_and_detail_pages_use_the_page_mixin():
    views = {}
    for _route, p in _patterns():
        cls = getattr(p.callback, "view_class", None)
        if cls is not None and p.name:
            namespace = p.callback.__module__.split(".")[1]
            views[f"{namespace}:{p.name}"] = cls
    missing = [name for name in PAGES if name not in views]
    assert missing == []
    assert [name for name in PAGES if not issubclass(views[name], RestrictedPageMixin)] == []
    assert all(_restricted_model(views[name].model) for name in PAGES)


KIND_BRANCH = re.compile(r"OrganizationKind\.|\.kind\s*(==|!=|\bin\b|\bnot in\b)|FINANCIAL_KINDS")


def test_no_queryset_branches_on_an_organisations_kind():
    # the consent and pool rules live in accounts/access.py; querysets only declare their scope
    offenders = [f"{path.relative_to(ROOT)}:{n}" for path in sorted(ROOT.glob("*/querysets.py"))
                 for n, line in enumerate(path.read_text().splitlines(), 1) if KIND_BRANCH.search(line)]
    offenders += [f"enterprises/{name}:{n}" for name in ("views.py", "api/views.py")
                  for n, line in enumerate((ROOT / "enterprises" / name).read_text().splitlines(), 1)
                  if KIND_BRANCH.search(line)]
    assert offenders == []


# ------------------------------------------------------------------------------ behaviour


def _api(u) -> Client:
    c = Client()
    c.force_login(u)
    return c


def _ids(response) -> list[int]:
    assert response.status_code == 200
    body = response.json()
    return sorted(row["id"] for row in (body["results"] if isinstance(body, dict) else body))


@pytest.mark.django_db
def test_a_withdrawn_product_is_not_served_to_other_institutions():
    # given bank A withdrew one of its two products
    bank_a, officer_a = institution(K.BANK, "银行甲")
    _bank_b, officer_b = institution(K.BANK, "银行乙")
    live = loan_product(bank_a, officer_a, name="在售贷")
    withdrawn = loan_product(bank_a, officer_a, name="停售贷")
    ms.product_set_active(product=withdrawn, active=False, actor=officer_a)
    # then bank B lists and opens only the live one
    assert _ids(_api(officer_b).get("/api/marketplace/products/")) == [live.pk]
    assert _api(officer_b).get(f"/api/marketplace/products/{withdrawn.pk}/").status_code == 404
    # and bank A still manages both
    assert _ids(_api(officer_a).get("/api/marketplace/products/")) == sorted([live.pk, withdrawn.pk])


@pytest.mark.django_db
def test_a_deactivated_institution_lists_no_consents_and_no_legs():
    # given a bank holding a consent and a guarantor providing a leg on the bank's loan
    bank, bank_officer = institution(K.BANK, "银行甲")
    guarantor, guarantor_officer = institution(K.GUARANTOR, "担保甲")
    ent, ent_user = enterprise(1)
    now = timezone.now()
    consent = Consent.objects.create(enterprise=ent, organization=bank, purpose="credit_assessment",
                                     valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=30))
    product = loan_product(bank, bank_officer)
    demand = ms.demand_post(enterprise=ent, kind="debt", amount="1000000", term_months=12, purpose="rd",
                            actor=ent_user)
    req = ms.request_apply(demand=demand, product=product, actor=ent_user)
    req = ms.request_pick_up(request=req, actor=bank_officer)
    leg = ms.leg_add(request=req, kind="guarantee", provider=guarantor, actor=bank_officer)
    assert _ids(_api(bank_officer).get("/api/consents/")) == sorted(
        c.pk for c in Consent.objects.filter(organization=bank))
    assert consent.pk in _ids(_api(bank_officer).get("/api/consents/"))
    assert _ids(_api(guarantor_officer).get("/api/marketplace/legs/")) == [leg.pk]
    # when both organisations are deactivated
    bank.is_active = False
    bank.save(update_fields=["is_active"])
    guarantor.is_active = False
    guarantor.save(update_fields=["is_active"])
    # then their officers list nothing any more
    assert _ids(_api(bank_officer).get("/api/consents/")) == []
    assert _ids(_api(guarantor_officer).get("/api/marketplace/legs/")) == []
    # while the enterprise still sees its consents (and the API lists legs to their parties and,
    # list and detail alike, to the regulator of the region, who follows them on the requests)
    assert consent.pk in _ids(_api(ent_user).get("/api/consents/"))
    assert _ids(_api(regulator("city")).get("/api/marketplace/legs/")) == [leg.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [K.BANK, K.INVESTOR, K.SERVICE_AGENCY])
def test_consents_follow_the_access_rule_for_each_kind(kind):
    # given two consents of one enterprise, to two organisations of the same kind
    ent, ent_user = enterprise(1)
    mine, other = organization(kind, "甲"), organization(kind, "乙")
    now = timezone.now()
    granted = [Consent.objects.create(enterprise=ent, organization=org, purpose="credit_assessment",
                                      valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=30))
               for org in (mine, other)]
    officer = user(f"officer-{kind}", mine)
    district = regulator("lixia", "370102")  # the enterprise is in 370102
    elsewhere = regulator("shizhong", "370103")
    # then each sees what the one rule says
    assert list(Consent.objects.restrict(officer, "view")) == [granted[0]]
    assert sorted(c.pk for c in Consent.objects.restrict(ent_user, "view")) == sorted(c.pk for c in granted)
    assert sorted(c.pk for c in Consent.objects.restrict(district, "view")) == sorted(c.pk for c in granted)
    assert list(Consent.objects.restrict(elsewhere, "view")) == []
