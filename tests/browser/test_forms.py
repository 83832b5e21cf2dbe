"""Forms people can use (issue 11, point 4), through the pages only: a bank builds a product's
eligibility in the rule builder and reads it in words, edits it later; the regulator fixes a
quarantined record field by field; enterprises and districts are picked from searchable lists;
an enterprise rates its closed request."""

import json

import pytest

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.tests.factories import organization, record, regulator, user, uscc
from kechuang.ingest.models import QuarantinedRow
from kechuang.ingest.services import default_source, import_run_create, import_run_execute
from kechuang.marketplace import services
from kechuang.marketplace.models import AdvisorAssignment, FirstLoanCandidate, Product, RequestRating
from kechuang.marketplace.tests.factories import enterprise, institution, loan_product

from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bank_builds_a_products_eligibility_and_reads_it_in_words(page, live_server):
    _bank, bu = institution(K.BANK, "银行甲")
    login(page, live_server, bu.username)
    page.goto(f"{live_server.url}/marketplace/products/new/")
    page.fill("#name", "科创积分贷")
    page.fill("#amount_min", "100000")
    page.fill("#amount_max", "3000000")
    page.fill("#term_min_months", "3")
    page.fill("#term_max_months", "12")
    page.fill("#rate", "3.65")

    page.select_option("#id_rule-qual_op", "all")
    page.check("#rule-builder input[name='rule-quals'][value='hnte']")
    page.select_option("#id_rule-grade_op", "gte")
    page.select_option("#id_rule-grade", "BBB")
    page.select_option("#id_rule-region_op", "in")
    page.fill("#id_rule-regions-search", "历")
    assert page.locator("#id_rule-regions option[value='370103']").evaluate("o => o.hidden")  # 市中区 filtered out
    page.click("#id_rule-regions option[value='370102']")  # a click toggles one district, keeping the others
    page.click("#id_rule-regions option[value='370112']")
    page.select_option("#id_rule-adverse_op", "none")
    words = "须为高新技术企业，且评级不低于BBB，且注册在历下区或历城区，且无不良记录。"
    page.wait_for_function("w => document.querySelector('#rule-words').innerText.includes(w)", arg=words)
    assert page.locator("#rule-builder .kc-chip").all_inner_texts() == ["历下区 ×", "历城区 ×"]

    page.select_option("#id_rule-size_op", "in")  # an operator without a value
    page.wait_for_selector("#rule-words .rule-words-problems")
    page.click("#submit-product")
    page.wait_for_selector("#error-sizes")
    assert "请选择至少一项企业规模" in page.locator("#error-sizes").inner_text()
    assert not Product.objects.exists()
    shot(page, "forms-rule-builder-error")

    page.select_option("#id_rule-size_op", "")
    page.click("#submit-product")
    page.wait_for_url(lambda url: "/products/new/" not in url)
    p = Product.objects.get(name="科创积分贷")
    assert [(c["feature"], c["op"], c.get("value")) for c in p.eligibility] == [
        ("hnte", "is_true", None), ("grade_rank", "<=", 4), ("region_code", "in", ["370102", "370112"]),
        ("adverse_count", "==", 0)]

    page.goto(f"{live_server.url}/marketplace/products/{p.pk}/edit/")  # the rule comes back into the rows
    assert page.locator("#id_rule-grade").input_value() == "BBB"
    assert page.locator("#rule-builder input[value='hnte']").is_checked()
    assert words in page.locator("#rule-words").inner_text()
    page.click("#rule-builder .kc-chip >> text=历城区")
    page.wait_for_function("() => document.querySelector('#rule-words').innerText.includes('注册在历下区，')")
    page.click("#submit-product")
    page.wait_for_url(lambda url: "/edit/" not in url)
    p.refresh_from_db()
    assert p.eligibility[2]["value"] == ["370102"]
    shot(page, "forms-rule-builder")


def test_regulator_fixes_a_quarantined_record_field_by_field(page, live_server, tmp_path):
    reg = regulator()
    bad = record(12)
    bad["years"][1]["employees"] = -5
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps(bad, ensure_ascii=False) + "\n", encoding="utf-8")
    run = import_run_create(path=path, file_name=path.name, source=default_source(), actor=reg, store_copy=False)
    import_run_execute(run=run, actor=reg)

    login(page, live_server, reg.username)
    page.goto(f"{live_server.url}/ingest/{run.pk}/")
    page.click("#quarantine-table .quarantine-fix")
    row = page.locator("tr.fix-row[data-path='years[1].employees']")
    assert "职工总数" in row.locator("th").inner_text()
    assert "为负数（-5）" in row.locator(".fix-problem").inner_text()
    assert page.locator("tr.fix-row[data-path='uscc'] input").is_disabled()

    row.locator("input").fill("-1")
    page.click("#submit-fix")
    page.wait_for_selector("tr.fix-row[data-path='years[1].employees'] .fix-problem div")
    assert "为负数（-1）" in page.locator("tr.fix-row[data-path='years[1].employees'] .fix-problem").inner_text()
    assert Enterprise.objects.count() == 0
    shot(page, "forms-quarantine-fix")

    page.locator("tr.fix-row[data-path='years[1].employees'] input").fill("90")
    page.click("#submit-fix")
    page.wait_for_url(lambda url: "/fix/" not in url)
    assert "已修正并入库" in page.content()
    assert QuarantinedRow.objects.get().status == "resolved"
    assert Enterprise.objects.get().uscc == uscc(12)


def test_enterprises_and_districts_are_picked_from_searchable_lists(page, live_server):
    ent, _eu = enterprise(1)
    enterprise(2, "370202")  # Qingdao: outside the city regulator's scope
    _reg_org, reg = institution(K.REGULATOR, "金融局")
    login(page, live_server, reg.username)

    page.goto(f"{live_server.url}/marketplace/pools/first-loan/new/")
    page.fill("#id_enterprise", "测试科技")
    page.wait_for_selector(".kc-suggestion")
    assert page.locator(".kc-suggestion").all_inner_texts() == [f"{ent.name}（{ent.uscc}）"]
    page.click(".kc-suggestion")
    assert page.locator("#id_enterprise").input_value() == ent.uscc
    page.click("#submit-first-loan")
    page.wait_for_url(lambda url: url.endswith("/marketplace/pools/"))
    assert FirstLoanCandidate.objects.get().enterprise == ent

    page.goto(f"{live_server.url}/marketplace/roadshows/new/")
    page.fill("#id_title", "历城区科创路演")
    page.fill("#id_region_code-search", "历城")
    assert page.locator("#id_region_code").input_value() == "370112"
    page.fill("#id_held_on", "2030-05-20")
    shot(page, "forms-searchable-select")
    page.click("#submit-roadshow")
    page.wait_for_selector("#registrations")
    assert "历城区科创路演" in page.locator("h1").inner_text()



def test_regulator_assigns_an_advisor_picked_by_name(page, live_server):
    ent, _eu = enterprise(1)
    _reg_org, reg = institution(K.REGULATOR, "金融局")
    agency_org, _agency = institution(K.SERVICE_AGENCY, "历下服务中心")
    adv = user("advisor-1", agency_org, display_name="李辅导")
    far = user("advisor-qd", organization(K.SERVICE_AGENCY, "青岛服务中心", region="370200"), display_name="王青岛")
    login(page, live_server, reg.username)

    page.goto(f"{live_server.url}/marketplace/pools/advisors/new/")
    assert page.locator(f"#id_advisor option[value='{far.pk}']").count() == 0  # outside the city
    page.fill("#id_enterprise", "测试科技")
    page.wait_for_selector(".kc-suggestion")
    page.click(".kc-suggestion")
    page.fill("#id_advisor-search", "李辅")
    assert page.locator("#id_advisor").input_value() == str(adv.pk)
    assert "advisor-1" not in page.locator("#id_advisor").inner_text()  # names, not usernames
    page.fill("#id_team", "历下一队")
    shot(page, "forms-advisor-assign")
    page.click("#submit-assign")
    page.wait_for_url(lambda url: url.endswith("/marketplace/pools/"))
    a = AdvisorAssignment.objects.get()
    assert (a.enterprise, a.advisor, a.team) == (ent, adv, "历下一队")

def test_enterprise_rates_its_closed_request(page, live_server):
    bank, bu = institution(K.BANK, "银行甲")
    p = loan_product(bank, bu)
    ent, eu = enterprise(1)
    d = services.demand_post(enterprise=ent, kind="debt", amount="1000000", term_months=12, purpose="rd", actor=eu)
    r = services.request_apply(demand=d, product=p, actor=eu)
    services.request_pick_up(request=r, actor=bu)
    services.request_review(request=r, actor=bu)
    services.request_decide(request=r, approve=False, reason="现金流不足", actor=bu)

    login(page, live_server, eu.username)
    page.goto(f"{live_server.url}/marketplace/requests/{r.pk}/")
    page.fill("#id_comment", "回复及时")
    page.click("#submit-rating")
    page.wait_for_selector("#error-stars")
    assert RequestRating.objects.count() == 0
    page.check("#rating-form input[name='stars'][value='4']")
    page.click("#submit-rating")
    page.wait_for_selector("#rating-given")
    assert "4 / 5" in page.locator("#rating-given").inner_text()
    assert page.locator("#rating-form").count() == 0
    shot(page, "forms-rating")
    assert RequestRating.objects.get().stars == 4
