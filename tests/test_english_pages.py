"""English is the second language (issue #11, point 2): the catalogue translates every message, and
the main pages rendered in English show no Chinese outside user data.

User data (enterprise, organisation and person names, plan texts, product names and eligibility
titles …) stays as it was entered; the page check removes every Chinese text stored in the database's
character columns (also when a page shortens it with "…") before looking for Chinese characters, so
what remains is the interface's own wording.

The engines' own texts are not removed: clause titles and citations (``title_en`` in the rule data,
``engine/qualification/english.py``), matching reasons (``engine/matching/rules.reason_en``), rating
feature names and reasons (``engine/rating/features.py``) and the data standard's choice labels
(``engine/facts/schema.CHOICE_LABELS_EN``) carry their English, and the detail pages that show them
(evaluation report, demand with match reasons, rating run and card, enterprise profile) are checked
too. Pages still mixing because a template literal is not yet
wrapped in ``{% translate %}`` are listed in KNOWN_MIXED with the Chinese left on them; the test fails
when a new one appears and when a listed one is gone (so the list only shrinks).
"""

from __future__ import annotations

import ast
import gettext
import pprint
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client

from kechuang.accounts.models import Region
from kechuang.accounts.regions import regions_load
from kechuang.demo.services import demo_load
from kechuang.marketplace.models import Product
from kechuang.rating.models import RatingResult
from tests.test_rendered_pages import visible_text

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
QUOTED = re.compile(r"“[\w.\[\]-]+”")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|%[sd]|\{\w*\}")


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: ``{"flags", "msgid", "msgid_plural", "msgstr": {index: text}}``
    (polib is not a dependency; this reads what makemessages writes)."""
    entries, cur, key = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if cur is not None:
                entries.append(cur)
            cur, key = None, None
            continue
        cur = cur or {"flags": set(), "msgid": None, "msgid_plural": None, "msgstr": {}, "obsolete": False}
        if line.startswith("#~"):
            cur["obsolete"] = True
        elif line.startswith("#,"):
            cur["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if key[0] == "msgstr":
                cur["msgstr"][key[1]] += text
            else:
                cur[key[0]] += text
        else:
            keyword, _, value = line.partition(" ")
            text = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if "[" in keyword else 0
                key = ("msgstr", index)
                cur["msgstr"][index] = text
            else:
                key = (keyword,)
                cur[keyword] = text
    return entries


def test_the_po_reader_reads_continuations_plurals_and_flags(tmp_path):
    po = tmp_path / "x.po"
    po.write_text('#, fuzzy, python-format\nmsgid ""\n"长的"\n"文本 %(n)s"\nmsgstr "Long %(n)s"\n\n'
                  'msgid "%(n)s 项"\nmsgid_plural "%(n)s 项"\nmsgstr[0] "%(n)s item"\nmsgstr[1] ""\n',
                  encoding="utf-8")
    first, second = read_po(po)
    assert (first["msgid"], first["msgstr"], first["flags"]) == ("长的文本 %(n)s", {0: "Long %(n)s"},
                                                                 {"fuzzy", "python-format"})
    assert (second["msgid_plural"], second["msgstr"]) == ("%(n)s 项", {0: "%(n)s item", 1: ""})


def _messages() -> list[dict]:
    return [e for e in read_po(CATALOGUE)[1:] if not e["obsolete"]]


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = _messages()
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert len(entries) > 1000, "the catalogue lost its messages"
    assert (untranslated, fuzzy) == ([], [])


def test_translations_keep_the_placeholders_and_are_english():
    wrong, chinese = [], []
    for e in _messages():
        for text in e["msgstr"].values():
            if sorted(PLACEHOLDER.findall(e["msgid"])) != sorted(PLACEHOLDER.findall(text)):
                wrong.append((e["msgid"], text))
            # Chinese the user must type in a file (a header, a keyword) stays Chinese in English when
            # the message quotes it (“月报”); one message lists such keywords unquoted (目标/基期/实际/增速目标).
            quoted = set(re.findall(r"“([^”]+)”", e["msgid"]))
            rest = re.sub("|".join(map(re.escape, sorted(quoted, key=len, reverse=True))), "", text) if quoted else text
            if CJK.search(rest) and "增速目标" not in text:
                chinese.append((e["msgid"], text))
    assert (wrong, chinese) == ([], [])


def test_the_committed_mo_is_compiled_from_the_po():
    with COMPILED.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    def shown(e: dict) -> str:  # a message with a context (msgctxt, e.g. the short "nav" labels) by it
        return compiled.pgettext(e["msgctxt"], e["msgid"]) if e.get("msgctxt") else compiled.gettext(e["msgid"])

    stale = [e["msgid"] for e in _messages() if e["msgid_plural"] is None and e["msgstr"][0]
             and shown(e) != e["msgstr"][0]]
    assert stale == [], f"{len(stale)} messages differ: run `kechuang compilemessages` (first: {stale[:3]})"


# --- pages --------------------------------------------------------------------------------------

#: (login, page) of the main pages: the workbench of every demo role, the enterprise list, the
#: marketplace, the cockpit and data collection.
PAGES = [
    *[(login, "/") for login in ("admin", "regulator", "officer", "kejiju", "lixia", "bank", "guarantor",
                                  "insurer", "investor", "agency", "enterprise")],
    ("regulator", "/enterprises/"),
    ("bank", "/marketplace/"),
    ("enterprise", "/marketplace/"),
    ("regulator", "/marketplace/products/"),
    ("regulator", "/targets/cockpit/"),
    ("regulator", "/ingest/"),
]

#: (login, page) → Chinese still shown in English: template literals not yet wrapped in
#: {% translate %} (the template work); shrink it, never grow it.
KNOWN_MIXED: dict[tuple[str, str], set[str]] = {}


def _stored_chinese() -> set[str]:
    """Every Chinese text stored in a character column, and the products' eligibility titles: user
    data, left as entered."""
    texts: set[str] = set()
    for model in apps.get_models():
        columns = [f.attname for f in model._meta.concrete_fields
                   if isinstance(f, models.CharField | models.TextField) and not f.choices]
        for column in columns:
            for value in model._base_manager.filter(**{f"{column}__regex": r"[一-龥]"}).values_list(column, flat=True):
                texts.update(line.strip() for line in str(value).splitlines() if CJK.search(line))
    for rules in Product.objects.values_list("eligibility", flat=True):
        texts.update(_titles(rules))
    return texts


def _titles(node) -> set[str]:
    if isinstance(node, dict):
        return {str(node["title"])} if "title" in node else set().union(*map(_titles, node.values()))
    if isinstance(node, list):
        return set().union(*map(_titles, node))
    return set()


def chinese_left(html: str, data: set[str]) -> set[str]:
    text = visible_text(html)
    # visible_text blanks short quoted names (“白名单”): blank them in the data too, so it still matches
    data = {visible_text(v) for v in data}
    # whole values first: data may itself contain "…" (a plan's qualifier 不受…限制), which is no
    # shortening; then what a page shortened
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    for shortened in set(re.findall(r"[^\s>]+(?=…)", text)):
        cut = CJK.search(shortened)
        if cut and any(v.startswith(shortened[cut.start():]) for v in data):
            text = text.replace(shortened + "…", shortened[:cut.start()] + " …")
    return set(CJK.findall(text))


def test_chinese_left_ignores_data_shortened_data_markup_and_scripts():
    html = ('<h1>企业画像</h1><td>测试科技有限公司</td><td>Bank · 示范银行济南…</td><script>var a = "图表";</script>'
            '<td>Profile</td><td>未知…</td><td>不受…限制</td>')
    assert chinese_left(html, {"测试科技有限公司", "示范银行济南分行", "不受…限制"}) == {"企业画像", "未知"}


@pytest.mark.django_db
def test_main_pages_in_english_show_no_chinese_outside_user_data():
    regions_load(Region)  # a module of the permission matrix flushes the database, regions included
    demo_load(n=120)
    data = _stored_chinese()
    found: dict[tuple[str, str], set[str]] = {}
    for login, url in PAGES:
        c = Client()
        c.force_login(apps.get_model(settings.AUTH_USER_MODEL).objects.get(username=login))
        resp = c.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert resp.status_code == 200, (login, url, resp.status_code)
        assert resp.headers["Content-Language"] == "en"
        left = chinese_left(resp.content.decode(), data)
        if left or (login, url) in KNOWN_MIXED:
            found[(login, url)] = left
    assert found == KNOWN_MIXED, pprint.pformat(found)


# --- detail pages: the engine's texts in English -------------------------------------------------


def _detail_pages() -> list[tuple[str, str]]:
    """(login, page) of the pages that show the engines' texts: the evaluation report (clause titles,
    citations, gaps), a demand with its match reasons, a rating run and a rating card (feature names
    and reasons) and the enterprise profile (the data standard's choice labels), for the demo
    enterprise's own enterprise and as the city regulator."""
    from django.urls import reverse

    from kechuang.evaluation.models import EvaluationResult
    from kechuang.marketplace.models import Demand
    from kechuang.rating.models import RatingRun

    user = apps.get_model(settings.AUTH_USER_MODEL).objects.select_related("organization").get(username="enterprise")
    own = user.organization.enterprise_id
    demand = Demand.objects.filter(enterprise_id=own).order_by("pk").first()
    assert demand is not None, "the demo gives the demo enterprise a demand"
    with_gaps = (EvaluationResult.objects.exclude(gaps=[]).order_by("pk").values_list("enterprise_id", flat=True)
                 .first())
    rated = RatingResult.objects.exclude(reasons=[]).order_by("pk").values_list("enterprise_id", flat=True).first()
    run = RatingRun.objects.order_by("-pk").first()
    pages = [("enterprise", reverse(name, args=[own])) for name in (
        "evaluation:evaluationresult_report", "rating:ratingresult_card", "enterprises:enterprise_detail")]
    pages += [("enterprise", reverse("marketplace:demand_detail", args=[demand.pk])),
              ("regulator", reverse("marketplace:demand_detail", args=[demand.pk])),
              ("regulator", reverse("evaluation:evaluationresult_report", args=[with_gaps])),
              ("regulator", reverse("rating:ratingresult_card", args=[rated])),
              ("regulator", reverse("rating:ratingrun_detail", args=[run.pk])),
              ("regulator", reverse("enterprises:enterprise_detail", args=[rated]))]
    return pages


@pytest.mark.django_db
def test_detail_pages_in_english_show_the_engines_texts_in_english():
    """Clause titles, citations, gap texts, match reasons, rating feature names and reasons and the
    standard's choice labels come from the engines; in English none of them may be Chinese. Only
    the database's own Chinese (names, product eligibility titles) is removed before looking."""
    regions_load(Region)
    demo_load(n=60)
    data = _stored_chinese()
    found: dict[tuple[str, str], set[str]] = {}
    for login, url in _detail_pages():
        c = Client()
        c.force_login(apps.get_model(settings.AUTH_USER_MODEL).objects.get(username=login))
        resp = c.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert resp.status_code == 200, (login, url, resp.status_code)
        left = chinese_left(resp.content.decode(), data)
        if left:
            found[(login, url)] = left
    assert found == {}, pprint.pformat(found)
