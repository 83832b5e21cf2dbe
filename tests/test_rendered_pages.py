"""Rendered-page check: every page of the URL configuration, with its path parameters filled from
a small demo (``demo_load``), for every demo role, either answers 302/403/404/405 (never 500) or
shows no raw codes, snake_case or dotted keys, True/False/None, bare region codes, ISO dates,
unformatted amounts or English words on a zh-Hans page.

Pages that still leak are listed in KNOWN_LEAKS (by URL name) with what leaks; the test fails when
a new page leaks and when a listed page is fixed (so the list only shrinks). The English sweep, for
every role, fails on any Han text of an ``Accept-Language: en`` page outside an element marked
``lang="zh-Hans"`` (or ``"zh"``): Chinese user data carries that mark (the ``as_entered`` filter),
and anything else is untranslated UI.
"""

from __future__ import annotations

import json
import pprint
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client

from kechuang.core.triggers import audit_triggers_disable, audit_triggers_enable
from kechuang.demo.services import demo_load
from kechuang.enterprises.choices import SourceKind
from kechuang.ingest.services import default_source, import_run_create, import_run_execute
from tests.test_permission_matrix import PARAM_SOURCES, routes

pytestmark = pytest.mark.django_db

#: Words a Chinese finance page uses as they are: product and format names, statisticians' names
#: of the methods shown. Upper-case abbreviations (AAA, CFA, ABS, a bank's contract prefix) pass too.
ALLOWED_WORDS = {"ECharts", "What-if", "What", "if", "Excel", "OpenAPI", "Swagger", "ReDoc", "English",
                 "Simplified", "Chinese", "Kechuang", "Lines", "Gini", "WoE", "Spearman", "Dirichlet"}
_STRIP = [re.compile(p, re.S | re.I) for p in (r"<script\b.*?</script>", r"<style\b.*?</style>",
                                               r"<code\b.*?</code>", r"<pre\b.*?</pre>", r"<!--.*?-->",
                                               r"<option\b.*?</option>", r"<textarea\b.*?</textarea>",
                                               # a name from the user's own file, quoted in an error
                                               r"“[\w.\[\]-]+”")]
RULES = {
    "bool/None": re.compile(r"\b(True|False|None)\b"),
    "snake_case": re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b"),
    "kebab-code": re.compile(r"\b[a-z]+(?:-[a-z0-9]+){2,}\b"),
    "dotted-key": re.compile(r"\b[a-z]+(?:\.[a-z0-9]+){2,}\b|\b[a-z]+\[\d+\]"),
    "region-code": re.compile(r"(?<![\d.,#])3701\d\d(?![\d])"),
    "iso-date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{2}-\d{2} \d{2}:\d{2}\b"),
    "amount": re.compile(r"(?<![\d.])\d{5,}\.\d{2}\b|\b\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?(?!\s*(?:万元|亿元))"),
    "english": re.compile(r"\b(?![A-Z]+\b)[A-Za-z]{3,}\b"),
}


#: A table cell or a figure (the workbench's and cockpit's big numbers): where an ungrouped count or
#: amount ("16000000", "12500") is looked for.
_CELL = re.compile(r"<(td|th|dd)\b[^>]*>(.*?)</\1>|<(div|span|strong|a)\b[^>]*class=\"[^\"]*\b(?:fs-[1-5]|display-\d)\b"
                   r"[^\"]*\"[^>]*>(.*?)</\3>", re.S | re.I)
#: A bare number of five digits or more, standing alone (not part of a code, an id "#12345", a date,
#: a file name, a grouped "1,100" or a USCC "91370100MA…").
_BARE_NUMBER = re.compile(r"(?<![\w.,#/:+-])\d{5,}(?:\.\d+)?(?![\w,/:-]|\.\w)")


#: A Chinese patent number as the synthetic data and CNIPA write it: ZL + filing year, type digit, serial.
_PATENT_NUMBER = re.compile(r"ZL\d{4} ?\d ?\d+\.[\dX]")


def ungrouped_numbers(html: str) -> list[str]:
    """Counts and amounts of 10,000 or more written without thousands separators in a table cell or
    a figure. Not flagged: years (four digits), codes with a leading zero (0531…, a postal or
    telephone code), mobile numbers (eleven digits from 1), USCCs and other ids of 15 digits or
    more, region codes (their own rule), patent numbers written with spaces (ZL2021 1 0634051.9)."""
    hits = set()
    for m in _CELL.finditer(visible_text_keep_tags(html)):
        text = re.sub(r"<[^>]+>", " ", m.group(2) if m.group(2) is not None else m.group(4))
        text = _PATENT_NUMBER.sub(" ", text)
        for n in _BARE_NUMBER.finditer(text):
            digits = n.group(0).split(".")[0]
            if (digits.startswith("0") or len(digits) >= 15 or (len(digits) == 11 and digits.startswith("1"))
                    or re.fullmatch(r"3701\d\d", digits)):
                continue
            hits.add(n.group(0))
    return sorted(hits)


_DATE_INPUT = re.compile(r"<input\b[^>]*\btype=\"date\"[^>]*>")
_VALUE = re.compile(r"\bvalue=\"([^\"]*)\"")


def bad_date_inputs(html: str) -> list[str]:
    """Values of ``<input type="date">`` a browser cannot show: it takes only YYYY-MM-DD, so a
    localised value (2026/12/05, 2026年12月5日) leaves the field empty and a required one blocks
    the form."""
    bad = []
    for tag in _DATE_INPUT.findall(html):
        value = _VALUE.search(tag)
        if value and value.group(1) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.group(1)):
            bad.append(value.group(1))
    return bad


def visible_text_keep_tags(html: str) -> str:
    for pattern in _STRIP:
        html = pattern.sub(" ", html)
    return html


def visible_text(html: str) -> str:
    for pattern in _STRIP:
        html = pattern.sub(" ", html)
    return re.sub(r"<[^>]+>", " ", html)


def leaks(html: str) -> dict[str, list[str]]:
    text = visible_text(html)
    found: dict[str, list[str]] = {}
    seen: set[str] = set()
    for name, rule in RULES.items():
        hits = sorted({m.group(0) for m in rule.finditer(text)})
        if name == "english":
            hits = [h for h in hits if h not in ALLOWED_WORDS and not any(h in other for other in seen)]
        seen.update(hits)
        if hits:
            found[name] = hits[:5]
    ungrouped = ungrouped_numbers(html)
    if ungrouped:
        found["ungrouped"] = ungrouped[:5]
    dates = bad_date_inputs(html)
    if dates:
        found["date-input"] = dates[:5]
    return found


@pytest.mark.parametrize(("html", "expected"), [
    ("<td>是</td><td>1,600.00万元</td><td>历下区</td>", {}),
    ("<td>高新技术企业（True）</td>", {"bool/None": ["True"]}),
    ("<td>advisor_visits</td>", {"snake_case": ["advisor_visits"]}),
    ("<td>370102</td>", {"region-code": ["370102"]}),
    ("<td>16000000.00</td>", {"amount": ["16000000.00"], "ungrouped": ["16000000.00"]}),
    ("<td>tech-innovative-sme</td>", {"kebab-code": ["tech-innovative-sme"]}),
    ("<td>gz.4.a.rev</td>", {"dotted-key": ["gz.4.a.rev"]}),
    ("<td>years[2023].operating_revenue</td>", {"snake_case": ["operating_revenue"], "dotted-key": ["years[2023]"]}),
    ("<td>要求 是，实际 False</td>", {"bool/None": ["False"]}),
    ("<td>flags 0，tasks 2</td>", {"english": ["flags", "tasks"]}),
    ("<p>见 docs/targets.md</p>", {"english": ["docs", "targets"]}),
    ("<td>2026-12-04</td><td>12-04 06:30</td>", {"iso-date": ["12-04 06:30", "2026-12-04"]}),
    ("<td>2026年12月4日 06:30</td><td>3.65%</td><td>否</td>", {}),
    ('<script>var x_y = True;</script><a title="raw_key">链接</a>', {}),
    ("<td>1100</td><td>16000000</td>", {"ungrouped": ["16000000"]}),
    ('<div class="fs-4 text-body">12500</div><td><a href="/x/">250000</a> 户</td>',
     {"ungrouped": ["12500", "250000"]}),
    ("<td>12,500</td><td>1,600.00万元</td><td>2025</td><td>#12345</td><td>0531-86012345</td>"
     "<td>13912345678</td><td>913701001234567890</td><td>91370100MA3C00000X</td><td>v20250101</td>", {}),
    ("<p>共 12500 条</p>", {}),
    ("<td>ZL2021 1 4634051.9</td><td>ZL202110634051.X</td>", {}),
    ("<td>ZL2021 1 4634051.9 · 25000</td>", {"ungrouped": ["25000"]}),
    ('<input type="date" name="as_of" value="2026/12/05" required>', {"date-input": ["2026/12/05"]}),
    ('<input type="date" name="a" value="2026-12-05"><input class="x" type="date" value="">', {}),
])
def test_the_checker_catches_each_leak_the_issue_quotes(html, expected):
    assert leaks(html) == expected



# --- the sweep ------------------------------------------------------------------------------------

#: Demo logins swept, one per role the demo has (the district login is a viewer of 历下区).
ROLES = {"city_admin": "regulator", "city_officer": "officer", "city_viewer": "kejiju", "district": "lixia",
         "bank": "bank", "guarantor": "guarantor", "insurer": "insurer", "investor": "investor",
         "agency": "agency", "enterprise": "enterprise"}

#: Routes that are no page: downloads, API, the admin, sign-out and the language switch.
SKIP = {"accounts:logout", "set_language", "ingest:template", "targets:plan_template", "marketplace:metrics_xlsx",
        "rating:ratingrun_export", "risk:warningrun_export", "points:pointsrun_export",
        "talent:export", "supervision:template", "supervision:export"}
SKIP_ROUTE = re.compile(r"^(api|admin)/|\.xlsx$")

#: The model behind each parameter source of the permission matrix (the one table of URL name →
#: object kind); a role gets the first row it may view, so each page is rendered with real data.
SOURCE_MODELS = {
    "enterprise": "enterprises.Enterprise", "consent": "enterprises.Consent", "importrun": "ingest.ImportRun",
    "quarantinedrow": "ingest.QuarantinedRow", "evaluationrun": "evaluation.EvaluationRun",
    "ratingrun": "rating.RatingRun", "ratingresult": "rating.RatingResult", "ratingmodel": "rating.RatingModel",
    "training": "core.Job", "demand": "marketplace.Demand", "request": "marketplace.FinancingRequest",
    "leg": "marketplace.Leg", "product": "marketplace.Product", "firstloan": "marketplace.FirstLoanCandidate",
    "whitelist": "marketplace.WhitelistEntry", "visit": "marketplace.AdvisorVisit",
    "assignment": "marketplace.AdvisorAssignment", "roadshow": "marketplace.Roadshow", "plan": "targets.Plan",
    "indicator": "targets.Indicator", "valueflag": "targets.ValueFlag", "task": "targets.Task",
    "unit": "targets.Unit", "pledge": "ip.Pledge", "ipvaluation": "ip.IPValuation", "pledgerate": "ip.PledgeRate",
    "claim": "funds.Claim", "programme": "funds.Programme",
    "riskrun": "risk.WarningRun", "riskwarning": "risk.EnterpriseWarning", "riskcase": "risk.RiskCase",
    "pointsrun": "points.PointsRun", "pointsresult": "points.PointsResult", "pointsmodel": "points.PointsModel",
    "talentperson": "talent.TalentPerson", "talentconsent": "talent.TalentConsent",
    "supervisedorg": "supervision.SupervisedOrg", "supervisionreport": "supervision.PeriodicReport",
    "supervisionrating": "supervision.OrgRating", "supervisioninspection": "supervision.Inspection",
    "supervisionbreach": "supervision.RatioBreach", "supervisionupload": "supervision.ReportUpload",
    "tradelisting": "trade.Listing", "tradedeal": "trade.Deal",
    "talentrun": "talent.ValuationRun",
}
FILTERS = {"evaluationrun": {"status": "succeeded"}, "ratingrun": {"status": "succeeded"},
           "training": {"kind": "rating.train"}}

#: URL name → leak kinds still shown; shrink it, never grow it.
KNOWN_LEAKS: dict[str, set[str]] = {}


def page_routes() -> list[tuple[str, str]]:
    """``(url name, route)`` of every page: the permission matrix's walk of the URL configuration
    without the API, downloads and the non-page routes."""
    return [(name, route) for name, route in routes() if name not in SKIP and not SKIP_ROUTE.search(route)]


def _first_visible(source: str, user) -> int | None:
    model = apps.get_model(SOURCE_MODELS[source])
    qs = model.objects.filter(**FILTERS.get(source, {}))
    if hasattr(qs, "restrict"):
        qs = qs.restrict(user, "view")
    row = qs.order_by("pk").first()
    return row.pk if row is not None else None


def _url(name: str, route: str, user) -> str | None:
    """The route with its parameters filled by the first object of its kind ``user`` may view
    (``None`` when there is none: that page cannot be shown to that user)."""
    source = next((src for pat, src in PARAM_SOURCES if re.search(pat, name)), None)
    values: dict[str, object] = {}
    if source in SOURCE_MODELS:
        pk = _first_visible(source, user)
        if pk is None and re.search(r"<", route):
            return None
        values = {"pk": pk, "run_id": pk, "verb": "pick_up" if source == "request" else "approve"}
        if source == "enterprise" and pk is not None:
            values["uscc"] = apps.get_model(SOURCE_MODELS["enterprise"]).objects.get(pk=pk).uscc
        if source == "plan" and pk is not None:
            value = (apps.get_model("targets", "IndicatorValue").objects
                     .filter(indicator__plan_id=pk, kind="target").order_by("year").first())
            values["year"] = value.year if value is not None else 2025
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values.get(m.group(1), 999999)), route)
    return "/" + path


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo with 60 enterprises (organisations, users, consents, runs, requests, legs, pools,
    roadshows, plans and tasks), plus one quarantined record so the fix page has a row."""
    with django_db_blocker.unblock():
        demo_load(n=60)
        _quarantined_record()
        User = get_user_model()
        people = {role: User.objects.get(username=name) for role, name in ROLES.items()}
    yield people
    with django_db_blocker.unblock():
        audit_triggers_disable(connection)  # the audit log is append-only: lifted for the flush only
        try:
            call_command("flush", interactive=False, verbosity=0)
        finally:
            audit_triggers_enable(connection)


def _quarantined_record() -> None:
    """One import of a record the standard rejects (its fields nested under an unknown key, so the
    required USCC, name and founding date are missing), so a quarantined row exists."""
    bad = Path(settings.VAR_DIR) / "rendered-pages-bad.jsonl"
    bad.write_text(json.dumps({"profile": {"uscc": "91370100MA3C00000X", "name": "校验失败的企业"}},
                              ensure_ascii=False) + "\n", encoding="utf-8")
    run = import_run_create(path=bad, file_name=bad.name, source=default_source(SourceKind.FILE),
                            actor="test:rendered-pages", store_copy=False)
    import_run_execute(run=run, actor="test:rendered-pages")


def _sweep(user, language: str, check) -> tuple[dict[str, object], list[str]]:
    c = Client()
    c.force_login(user)
    found: dict[str, object] = {}
    shown: list[str] = []
    for name, route in page_routes():
        url = _url(name, route, user)
        if url is None:
            continue
        resp = c.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert resp.status_code < 500, (name, url, resp.status_code)
        if resp.status_code != 200 or "text/html" not in resp.get("Content-Type", ""):
            continue
        shown.append(name)
        hit = check(resp.content.decode())
        if hit:
            found[name] = hit
    return found, shown


def _compare(found: dict[str, object], known: dict[str, set[str]]) -> dict[str, object]:
    """New leaks, and listed pages that no longer leak what is listed (the list only shrinks)."""
    wrong: dict[str, object] = {}
    for name, hit in found.items():
        if name not in known or not set(hit) <= known[name]:
            wrong[name] = hit
    return wrong


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_page_is_clean_or_refused(world, role):
    found, shown = _sweep(world[role], "zh-hans", leaks)
    assert _compare(found, KNOWN_LEAKS) == {}, pprint.pformat(found)
    assert "workbench:home" in shown  # the sweep really rendered pages for this role


@pytest.mark.django_db
def test_every_known_leak_still_leaks_somewhere(world):
    """KNOWN_LEAKS only shrinks: a listed page that renders clean for every role must leave the list."""
    if not KNOWN_LEAKS:
        return
    still: dict[str, set[str]] = {}
    for role in ("city_admin", "bank", "enterprise"):
        found, _shown = _sweep(world[role], "zh-hans", leaks)
        for name, hit in found.items():
            still.setdefault(name, set()).update(hit)
    fixed = {name: kinds - still.get(name, set()) for name, kinds in KNOWN_LEAKS.items()}
    assert {k: v for k, v in fixed.items() if v} == {}, "fixed: remove these from KNOWN_LEAKS"


# --- the English locale ---------------------------------------------------------------------------

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
#: The language tags that mark an element's content as Chinese (user data, quoted rules).
CHINESE = {"zh", "zh-hans"}


class _UnmarkedText(HTMLParser):
    """A page's visible text outside every element marked Chinese (``lang="zh-Hans"`` or ``"zh"``):
    without scripts and styles, with what a reader sees in attributes (``placeholder``, ``title``,
    ``alt``, ``aria-label``, a button's ``value``). Form fields' text, ``<code>``, ``<pre>`` and
    ``<option>``s count like any other text: Chinese there is data that needs its mark too."""

    SKIP = {"script", "style"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    READ = ("placeholder", "title", "alt", "aria-label")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping: tuple[str, int] | None = None  # (tag, nesting depth) of the element skipped
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.parts.append(" ")
        if self.skipping is not None:
            if tag == self.skipping[0]:
                self.skipping = (tag, self.skipping[1] + 1)
            return
        a = dict(attrs)
        if (a.get("lang") or "").lower() in CHINESE:
            if tag not in self.VOID:
                self.skipping = (tag, 1)
            return
        if tag in self.SKIP:
            self.skipping = (tag, 1)
            return
        read = [a.get(k) for k in self.READ]
        if tag == "input" and a.get("type") in ("submit", "button"):
            read.append(a.get("value"))
        self.parts.extend(f" {v} " for v in read if v)

    def handle_endtag(self, tag):
        if self.skipping is not None and tag == self.skipping[0]:
            depth = self.skipping[1] - 1
            self.skipping = (tag, depth) if depth else None
        self.parts.append(" ")

    def handle_data(self, data):
        if self.skipping is None:
            self.parts.append(data)


def unmarked_text(html: str) -> str:
    parser = _UnmarkedText()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def unmarked_han(html: str) -> list[str]:
    """The runs of Han characters an English page shows outside elements marked Chinese: each is
    either untranslated UI or Chinese data without its ``lang="zh-Hans"``."""
    return sorted(set(_HAN.findall(unmarked_text(html))))


@pytest.mark.parametrize(("html", "expected"), [
    pytest.param('<html lang="en"><body><h1>Enterprises</h1><td><span lang="zh-Hans">济南鼎沃机械有限责任公司</span>'
                 '</td></body></html>', [], id="data-marked-as-chinese"),
    pytest.param('<html lang="en"><body><td>济南鼎沃机械有限责任公司</td></body></html>', ["济南鼎沃机械有限责任公司"],
                 id="unmarked-data-fails-too"),
    pytest.param('<html lang="en"><body><th>名称</th><td><span lang="zh-Hans">是</span></td></body></html>',
                 ["名称"], id="untranslated-label-beside-marked-data"),
    pytest.param('<html lang="en"><body><div lang="zh-Hans"><span>是</span><span>否</span></div>企业库<br>'
                 '</body></html>', ["企业库"], id="nested-elements-end-the-marked-one"),
    pytest.param('<html lang="en"><body><p lang="zh">备注</p><p lang="en">企业库</p><p lang="ja">東京</p></body></html>',
                 ["企业库", "東京"], id="only-chinese-marks-count"),
    pytest.param('<html lang="en"><body><input lang="zh-Hans" value="x">是</body></html>', ["是"],
                 id="a-void-element-marks-nothing-after-it"),
    pytest.param('<html lang="en"><body><select><option>否</option></select><textarea>名称</textarea>'
                 '<pre>文件.xlsx</pre></body></html>', ["名称", "否", "文件"], id="menus-fields-and-code-count"),
    pytest.param('<html lang="en"><body><input placeholder="搜索" name="q"><a title="详情" href="#">x</a>'
                 '<input type="submit" value="提交"><input type="hidden" value="隐藏"></body></html>',
                 ["提交", "搜索", "详情"], id="attributes-a-reader-sees"),
    pytest.param('<html lang="en"><body><script>var a = "企业库";</script><style>/* 样式 */</style>'
                 '<span lang="zh-Hans" title="全称">简称</span></body></html>', [], id="scripts-styles-and-marked-titles"),
])
def test_the_english_check_fails_on_any_unmarked_han_text(html, expected):
    assert unmarked_han(html) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ROLES))
def test_english_pages_show_chinese_only_where_marked(world, role):
    """Every page each role may see, in English, shows Han text only inside an element marked
    ``lang="zh-Hans"`` (data that is Chinese by nature: names, notes, quoted rules): any other
    Chinese is untranslated UI or unmarked data. No page is exempt."""
    found, shown = _sweep(world[role], "en", unmarked_han)
    assert "workbench:home" in shown  # the sweep really rendered pages for this role
    assert found == {}, pprint.pformat(found)


def test_english_locale_translates_the_navigation(world):
    c = Client()
    c.force_login(world["city_admin"])
    html = c.get("/enterprises/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sci-Tech Innovation Finance Service Platform" in html and " Enterprises</a>" in html
    assert "科创金融服务平台" not in html and " 企业库</a>" not in html
