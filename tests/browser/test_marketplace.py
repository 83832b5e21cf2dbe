"""The marketplace as people use it, in a real browser: an enterprise posts a demand and applies
to a matched product, the bank picks it up and decides (a decline needs a reason), the enterprise
sees where it stands and who holds it, a second bank's grab is refused, the regulator's charts."""

import pytest

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.marketplace import services
from kechuang.marketplace.models import FinancingRequest
from kechuang.marketplace.tests.factories import enterprise, institution, loan_product

from .conftest import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enterprise_applies_bank_decides_enterprise_sees_the_state(page, live_server):
    bank, bu = institution(K.BANK, "银行甲")
    p = loan_product(bank, bu)
    ent, eu = enterprise(1)

    login(page, live_server, eu.username)
    page.goto(f"{live_server.url}/marketplace/demands/new/")
    assert "科技型中小企业" in page.locator("#prefill").inner_text()
    page.fill("#amount", "0")
    page.click("#submit-demand")
    assert "金额必须大于零" in page.locator("#form-errors").inner_text()
    page.fill("#amount", "1000000")
    page.click("#submit-demand")
    page.wait_for_selector("#matches")
    assert page.locator("#matches .match-row").count() == 1
    shot(page, "marketplace-matches")
    page.click(".apply-btn")
    page.wait_for_selector("#demand-requests [data-state='submitted']")

    page.context.clear_cookies()
    login(page, live_server, bu.username)
    r = FinancingRequest.objects.get()
    page.goto(f"{live_server.url}/marketplace/requests/{r.pk}/")
    page.click("text=接单")
    page.wait_for_selector("[data-state='picked_up']")
    page.click("text=开始审查")
    page.wait_for_selector("[data-state='under_review']")
    page.click("#decline-btn")
    page.wait_for_selector("#action-error")
    assert "拒绝须说明理由" in page.locator("#action-error").inner_text()
    page.fill("#decline-reason", "近两年经营性现金流为负")
    page.click("#decline-btn")
    page.wait_for_selector("[data-state='declined']")
    shot(page, "marketplace-request")

    page.context.clear_cookies()
    login(page, live_server, eu.username)
    page.goto(f"{live_server.url}/marketplace/")
    row = page.locator("#request-table tbody tr").first.inner_text()
    assert "银行甲" in row and "已拒绝" in row
    assert p.pk == r.product_id


def test_bank_grabs_from_the_queue_and_a_late_grab_is_refused(page, live_server):
    bank, bu = institution(K.BANK, "银行甲")
    bank2, bu2 = institution(K.BANK, "银行乙")
    loan_product(bank, bu)
    p2 = loan_product(bank2, bu2, name="乙贷")
    ent, eu = enterprise(1)
    d = services.demand_post(enterprise=ent, kind="debt", amount="1000000", term_months=12, purpose="rd", actor=eu)

    login(page, live_server, bu.username)
    page.goto(f"{live_server.url}/marketplace/")
    page.wait_for_selector(f"#q-{d.pk}")
    services.demand_grab(demand=d, product=p2, actor=bu2)  # the other bank is faster
    page.click(f"#q-{d.pk} .grab-btn")
    page.wait_for_selector(f"#q-{d.pk} .grab-error")
    assert "已由其他机构承办" in page.locator(f"#q-{d.pk}").inner_text()
    assert FinancingRequest.objects.get().institution == bank2


def test_regulator_sees_metrics_with_charts(page, live_server):
    reg_org, reg = institution(K.REGULATOR, "金融局")
    login(page, live_server, reg.username)
    page.goto(f"{live_server.url}/marketplace/metrics/")
    page.wait_for_selector("body[data-charts-ready='1']")
    assert page.locator("#chart-institution canvas").count() == 1
    assert page.locator("#metric-cards [data-code='pickup_rate']").count() == 1
    shot(page, "marketplace-metrics")


def test_staff_create_a_roadshow_and_register_an_enterprise_through_the_pages(page, live_server):
    from kechuang.marketplace.models import Roadshow, RoadshowRegistration

    reg_org, reg = institution(K.REGULATOR, "金融局")
    ent, eu = enterprise(1)
    login(page, live_server, reg.username)
    page.goto(f"{live_server.url}/marketplace/pools/")
    page.click("#new-roadshow")
    page.fill("#id_title", "科创路演第一期")
    page.fill("#id_held_on", "2030-05-20")
    # the region is chosen from a list by name (typing filters it), not typed as a code
    page.fill("#id_region_code-search", "济南")
    assert page.locator("#id_region_code").input_value() == "370100"
    page.click("#submit-roadshow")
    page.wait_for_selector("#registrations")
    assert "科创路演第一期" in page.locator("h1").inner_text()
    page.select_option("#id_role", "presenter")
    page.fill("#id_enterprise", ent.uscc)
    page.click("#submit-register")
    page.wait_for_selector("#registrations .registration-row")
    assert ent.name in page.locator("#registrations").inner_text()
    shot(page, "marketplace-roadshow")
    show = Roadshow.objects.get()
    assert RoadshowRegistration.objects.get(roadshow=show).enterprise == ent
