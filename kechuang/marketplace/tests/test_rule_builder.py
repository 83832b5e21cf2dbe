"""The eligibility rule builder: its rows make the engine's eligibility JSON, the rule reads in
words, a stored eligibility comes back into the rows (what the rows cannot show is kept), invalid
combinations get a field error, and the product pages publish and edit through audited services."""

import json
import re

import pytest
from django.test import Client

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.core.models import AuditEntry
from kechuang.engine.matching import evaluate, load_eligibility
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.tests.factories import load, record
from kechuang.engine.qualification.nodes import MET, UNKNOWN, UNMET
from kechuang.marketplace import eligibility as el
from kechuang.marketplace.forms import EligibilityForm
from kechuang.marketplace.models import Product
from kechuang.marketplace.selectors import enterprise_features

from .factories import HNTE_OR_TSME, institution, loan_product

NAMES = {"370100": "济南市", "370102": "历下区", "370112": "历城区", "370200": "青岛市"}

#: The demo catalogue's shapes: a city, three titles (any), no adverse record, and a clause the
#: builder has no row for (Class I IP).
DEMO = [
    {"id": "jinan", "kind": "condition", "title": "注册在济南市", "feature": "region_city", "op": "in",
     "value": ["370100"]},
    {"id": "titles", "kind": "any_of", "title": "科技企业资质（任一）", "clauses": [
        {"id": "hnte", "kind": "condition", "title": "高新技术企业", "feature": "hnte", "op": "is_true"},
        {"id": "srdi", "kind": "condition", "title": "专精特新中小企业", "feature": "srdi_sme", "op": "is_true"},
        {"id": "tsme", "kind": "condition", "title": "科技型中小企业", "feature": "tsme", "op": "is_true"}]},
    {"id": "clean", "kind": "condition", "title": "无不良记录", "feature": "adverse_count", "op": "==", "value": 0},
    {"id": "ip", "kind": "condition", "title": "拥有Ⅰ类知识产权", "feature": "ip_class1_count", "op": ">=", "value": 1},
]

ENTERPRISES = [  # features the engine reads, one per interesting case
    {"region_city": "370100", "hnte": True, "srdi_sme": False, "tsme": False, "adverse_count": 0, "ip_class1_count": 2},
    {"region_city": "370200", "hnte": True, "srdi_sme": False, "tsme": False, "adverse_count": 0, "ip_class1_count": 2},
    {"region_city": "370100", "hnte": False, "srdi_sme": False, "tsme": False, "adverse_count": 0, "ip_class1_count": 2},
    {"region_city": "370100", "hnte": False, "srdi_sme": None, "tsme": True, "adverse_count": 1, "ip_class1_count": 2},
    {"region_city": "370100", "hnte": False, "srdi_sme": True, "tsme": False, "adverse_count": 0, "ip_class1_count": 0},
    {"region_city": None, "hnte": True, "srdi_sme": False, "tsme": False, "adverse_count": 0, "ip_class1_count": 1},
]


def _status(raw, feats):
    return evaluate(load_eligibility(raw), feats)[0]


def test_the_rows_make_the_engine_json_and_read_in_words():
    rule = el.Rule(qual_op="all", quals=["hnte"], grade_op="gte", grade="BBB", region_op="in",
                   regions=["370102", "370112"], adverse_op="none")
    raw = el.eligibility_from_rule(rule, NAMES)

    assert raw == [
        {"id": "qualification_hnte", "kind": "condition", "title": "高新技术企业", "feature": "hnte", "op": "is_true"},
        {"id": "grade", "kind": "condition", "title": "评级不低于BBB", "feature": "grade_rank", "op": "<=", "value": 4},
        {"id": "region", "kind": "condition", "title": "注册在历下区或历城区", "feature": "region_code", "op": "in",
         "value": ["370102", "370112"]},
        {"id": "adverse", "kind": "condition", "title": "无不良记录", "feature": "adverse_count", "op": "==", "value": 0}]
    assert el.eligibility_words(raw, NAMES) == "须为高新技术企业，且评级不低于BBB，且注册在历下区或历城区，且无不良记录。"
    base = {"hnte": True, "grade_rank": 4, "region_code": "370112", "adverse_count": 0}
    assert [_status(raw, f) for f in (base, {**base, "grade_rank": 5}, {**base, "region_code": "370103"},
                                      {**base, "adverse_count": 2}, {**base, "grade_rank": None})] == \
        [MET, UNMET, UNMET, UNMET, UNKNOWN]


@pytest.mark.parametrize(("rule", "words"), [
    pytest.param(el.Rule(qual_op="any", quals=["tsme", "little_giant"], size_op="in", sizes=["small", "micro"]),
                 "须为科技型中小企业或专精特新“小巨人”企业之一，且企业规模为微型或小型。", id="any-title-and-size"),
    pytest.param(el.Rule(industry_op="not_in", industries=["K", "J"], adverse_op="at_most", adverse_max=2),
                 "须所属行业不是金融业、房地产业，且不良记录不超过2条。", id="industry-excluded-and-adverse-count"),
    pytest.param(el.Rule(region_op="not_in", regions=["370200"]), "须注册地不在青岛市。", id="city-excluded"),
    pytest.param(el.Rule(), "不限：所有企业均可申请。", id="empty"),
])
def test_words_for_each_row(rule, words):
    raw = el.eligibility_from_rule(rule, NAMES)
    load_eligibility(raw)  # the engine accepts it
    assert el.eligibility_words(raw, NAMES) == words


def test_a_stored_eligibility_round_trips_through_the_rows_keeping_what_they_cannot_show():
    rule = el.rule_from_eligibility(DEMO)

    assert (rule.region_op, rule.regions, rule.qual_op, rule.quals, rule.adverse_op) == \
        ("in", ["370100"], "any", ["tsme", "hnte", "srdi_sme"], "none")
    assert rule.extra == [DEMO[3]]
    again = el.eligibility_from_rule(rule, NAMES)
    assert [_status(again, f) for f in ENTERPRISES] == [_status(DEMO, f) for f in ENTERPRISES] == \
        [MET, UNMET, UNMET, UNMET, UNMET, UNKNOWN]
    assert el.eligibility_words(again, NAMES) == (  # the builder's row order
        "须为科技型中小企业、高新技术企业或专精特新中小企业之一，且注册在济南市，且无不良记录，且拥有Ⅰ类知识产权。")
    assert el.rule_from_eligibility(again) == rule



@pytest.mark.parametrize(("rule", "raw", "words"), [
    pytest.param(el.Rule(qual_op="all", quals=["gazelle"]),
                 [{"id": "qualification_gazelle", "kind": "condition", "title": "瞪羚企业", "feature": "gazelle",
                   "op": "is_true"}], "须为瞪羚企业。", id="gazelle-alone"),
    pytest.param(el.Rule(qual_op="any", quals=["gazelle", "little_giant"]),
                 [{"id": "qualification", "kind": "any_of", "title": "具备以下资质之一：专精特新“小巨人”企业、瞪羚企业",
                   "clauses": [
                       {"id": "qualification_little_giant", "kind": "condition", "title": "专精特新“小巨人”企业",
                        "feature": "little_giant", "op": "is_true"},
                       {"id": "qualification_gazelle", "kind": "condition", "title": "瞪羚企业", "feature": "gazelle",
                        "op": "is_true"}]}],
                 "须为专精特新“小巨人”企业或瞪羚企业之一。", id="gazelle-or-little-giant"),
])
def test_gazelle_row_round_trips(rule, raw, words):
    got = el.eligibility_from_rule(rule, NAMES)

    assert got == raw
    assert el.eligibility_words(got, NAMES) == words
    back = el.rule_from_eligibility(got)
    assert (back.qual_op, back.quals, back.extra) == (rule.qual_op, [q for q in el.QUALIFICATIONS if q in rule.quals], [])
    engine = load_eligibility(got)
    assert [evaluate(engine, {"gazelle": g, "little_giant": False})[0] for g in (True, False, None)] == \
        [MET, UNMET, UNKNOWN]


@pytest.mark.django_db
def test_the_builder_offers_gazelle_and_the_form_makes_its_clause():
    form = _form(qual_op="all", quals=["gazelle"])

    assert ("gazelle", "瞪羚企业") in form.fields["quals"].choices
    assert form.is_valid(), form.errors
    assert form.cleaned_data["eligibility"] == [
        {"id": "qualification_gazelle", "kind": "condition", "title": "瞪羚企业", "feature": "gazelle", "op": "is_true"}]
    assert form.words() == "须为瞪羚企业。"



@pytest.mark.django_db
def test_an_enterprise_is_a_gazelle_by_its_valid_certificate_and_the_product_matches_it():
    cert = {"kind": "gazelle", "valid_from": "2024-01-01", "valid_to": "2099-12-31"}
    expired = {"kind": "gazelle", "valid_from": "2020-01-01", "valid_to": "2022-12-31"}
    load([record(1, certificates=[cert]), record(2, certificates=[expired]), record(3, certificates=[])])
    ents = {e.uscc: e for e in Enterprise.objects.all()}

    feats = [enterprise_features(ents[record(n)["uscc"]])["gazelle"] for n in (1, 2, 3)]

    assert feats == [True, False, False]
    engine = load_eligibility(el.eligibility_from_rule(el.Rule(qual_op="all", quals=["gazelle"]), NAMES))
    assert [evaluate(engine, {"gazelle": f})[0] for f in feats] == [MET, UNMET, UNMET]


def _form(**rows):
    data = {f"rule-{k}": v for k, v in rows.items()}
    return EligibilityForm(data, prefix="rule")


@pytest.mark.django_db
@pytest.mark.parametrize(("rows", "field", "message"), [
    pytest.param({"qual_op": "any"}, "quals", "请选择至少一项资质。", id="operator-without-value"),
    pytest.param({"quals": ["hnte"]}, "qual_op", "已选择资质", id="value-without-operator"),
    pytest.param({"grade_op": "gte"}, "grade", "请选择评级。", id="grade-without-grade"),
    pytest.param({"region_op": "in", "regions": ["370100", "370102"]}, "regions", "同一级别", id="mixed-region-levels"),
    pytest.param({"size_op": "not_in", "sizes": ["micro", "small", "medium", "large"]}, "sizes", "排除了全部企业规模",
                 id="every-size-excluded"),
    pytest.param({"adverse_op": "at_most"}, "adverse_max", "请填写允许的不良记录条数", id="count-missing"),
    pytest.param({"adverse_op": "at_most", "adverse_max": "-1"}, "adverse_max", "0", id="negative-count"),
])
def test_invalid_combinations_get_a_field_error(rows, field, message):
    form = _form(**rows)

    assert not form.is_valid()
    assert message in " ".join(form.errors[field])
    assert "eligibility" not in form.cleaned_data


@pytest.mark.django_db
def test_form_rows_give_the_json_and_the_words():
    form = _form(qual_op="all", quals=["hnte"], grade_op="gte", grade="BBB", region_op="in",
                 regions=["370102", "370112"], adverse_op="none")

    assert form.is_valid(), form.errors
    assert [c["id"] for c in form.cleaned_data["eligibility"]] == ["qualification_hnte", "grade", "region", "adverse"]
    assert form.words() == "须为高新技术企业，且评级不低于BBB，且注册在历下区或历城区，且无不良记录。"


# --- the pages ---------------------------------------------------------------------------------


def _client(u):
    c = Client()
    c.force_login(u)
    return c


TERMS = {"name": "科创积分贷", "category": "credit", "amount_min": "100000", "amount_max": "3000000",
         "term_min_months": "3", "term_max_months": "12", "rate": "3.65", "sla_pickup_days": "2"}


@pytest.mark.django_db
def test_publish_with_the_builder_stores_the_engine_json_and_an_audit_entry():
    bank, bu = institution(K.BANK, "银行甲")
    c = _client(bu)
    page = c.get("/marketplace/products/new/").content.decode()
    assert 'id="rule-builder"' in page and 'name="eligibility"' not in page  # no JSON to type any more

    resp = c.post("/marketplace/products/new/", {**TERMS, "rule-qual_op": "all", "rule-quals": ["hnte"],
                                                  "rule-grade_op": "gte", "rule-grade": "BBB",
                                                  "rule-adverse_op": "none"})

    assert resp.status_code == 302
    p = Product.objects.get(name="科创积分贷")
    assert [(x["feature"], x["op"], x.get("value")) for x in p.eligibility] == [
        ("hnte", "is_true", None), ("grade_rank", "<=", 4), ("adverse_count", "==", 0)]
    assert AuditEntry.objects.filter(object_type="marketplace.product", object_id=str(p.pk), action="create").count() == 1


@pytest.mark.django_db
def test_an_invalid_rule_is_shown_beside_its_row_and_nothing_is_published():
    bank, bu = institution(K.BANK, "银行甲")
    resp = _client(bu).post("/marketplace/products/new/", {**TERMS, "rule-region_op": "in"})

    assert resp.status_code == 200
    assert 'id="error-regions">请选择至少一个地区。' in resp.content.decode()
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_editing_shows_the_stored_rule_in_the_builder_and_keeps_other_clauses():
    bank, bu = institution(K.BANK, "银行甲")
    p = loan_product(bank, bu, eligibility=DEMO)
    c = _client(bu)
    assert f'href="/marketplace/products/{p.pk}/edit/"' in c.get("/marketplace/").content.decode()

    page = c.get(f"/marketplace/products/{p.pk}/edit/").content.decode()

    assert '<option value="any" selected>具备任一</option>' in page
    assert '<option value="370100" selected>济南市（全市）</option>' in page
    assert re.search(r'<input type="checkbox" name="rule-quals" value="hnte"[^>]*checked', page)
    assert not re.search(r'<input type="checkbox" name="rule-quals" value="little_giant"[^>]*checked', page)
    assert "须注册在济南市，且为高新技术企业、专精特新中小企业或科技型中小企业之一，且无不良记录，且拥有Ⅰ类知识产权。" in page
    assert 'id="rule-extra"' in page

    form = {**EligibilityForm.initial_for(DEMO), **{"quals": ["hnte"], "qual_op": "all"}}
    post = {**{k: v for k, v in TERMS.items()}, "name": p.name}
    post.update({f"rule-{k}": v for k, v in form.items() if v not in (None, "", [])})
    resp = c.post(f"/marketplace/products/{p.pk}/edit/", post)

    assert resp.status_code == 302
    p.refresh_from_db()
    assert [c_["id"] for c_ in p.eligibility] == ["qualification_hnte", "region", "adverse", "ip"]
    assert p.eligibility[-1] == DEMO[3]
    entry = AuditEntry.objects.get(object_type="marketplace.product", object_id=str(p.pk), action="update")
    assert entry.before["eligibility"] == DEMO and entry.after["eligibility"] == p.eligibility


@pytest.mark.django_db
def test_another_institution_cannot_edit_a_product():
    bank, bu = institution(K.BANK, "银行甲")
    _other, ou = institution(K.BANK, "银行乙")
    p = loan_product(bank, bu)
    c = _client(ou)

    assert c.get(f"/marketplace/products/{p.pk}/edit/").status_code == 404
    assert c.post(f"/marketplace/products/{p.pk}/edit/", {**TERMS, "rule-adverse_op": "none"}).status_code == 404
    p.refresh_from_db()
    assert (p.name, p.eligibility) == ("科创信用贷", HNTE_OR_TSME)
    assert not AuditEntry.objects.filter(object_type="marketplace.product", action="update").exists()


@pytest.mark.django_db
def test_the_live_preview_returns_the_rule_in_words():
    bank, bu = institution(K.BANK, "银行甲")
    c = _client(bu)
    ok = c.post("/marketplace/products/rule-words/", {"rule-size_op": "in", "rule-sizes": ["micro", "small"]})
    bad = c.post("/marketplace/products/rule-words/", {"rule-size_op": "in"})

    assert '<span class="rule-words-text">须企业规模为微型或小型。</span>' in ok.content.decode()
    assert "规模——请选择至少一项企业规模。" in bad.content.decode()


def test_extra_clause_ids_never_collide_with_the_rows():
    rule = el.Rule(adverse_op="none", extra=[{"id": "adverse", "kind": "condition", "title": "首贷户",
                                              "feature": "first_loan", "op": "is_true"}])
    raw = el.eligibility_from_rule(rule, NAMES)
    load_eligibility(raw)
    assert [c["id"] for c in raw] == ["adverse", "adverse_kept"]
    assert json.loads(json.dumps(raw)) == raw
