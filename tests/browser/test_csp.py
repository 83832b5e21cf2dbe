"""The Content-Security-Policy does not break the main pages: no violation, no console error."""

import pytest

from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.tests.factories import load, record, regulator

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_main_pages_load_without_csp_violations_or_console_errors(browser, live_server):
    load([record(i, "370102") for i in range(1, 4)])
    regulator("city")
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: problems.append((page.url, msg.text)) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append((page.url, str(exc))))
    try:
        login(page, live_server, "city")
        e = Enterprise.objects.order_by("pk").first()
        paths = ["/enterprises/", f"/enterprises/{e.pk}/", "/evaluation/", "/rating/", "/marketplace/",
                 "/marketplace/metrics/", "/targets/", "/targets/cockpit/", "/targets/cockpit/print/",
                 "/core/audit/", "/api/docs/"]
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            assert "nonce-" in response.headers["content-security-policy"]
            page.wait_for_load_state("networkidle")
        page.goto(f"{live_server.url}/api/docs/")
        page.wait_for_selector(".swagger-ui .info", timeout=15000)  # Swagger UI ran under the policy
        page.goto(f"{live_server.url}/enterprises/{e.pk}/")
        page.wait_for_selector("body[data-charts-ready='1']")  # the nonce'd inline chart script ran
    finally:
        context.close()
    assert problems == []
