"""How values read on a page: the one place that turns yuan, fractions, dates, region codes,
booleans and choice values into the forms Chinese finance pages use.

Pure functions of their arguments and the active language (no request, no settings), so
templates, chart data and exports format alike and the rules are unit-tested with exact strings.
In English (the second language) amounts read as ``CNY 16.00 m`` below one billion and
``CNY 1.60 bn`` from there, dates as ``4 Dec 2026``, districts by their English names, Yes/No. The template filters in
``kechuang.core.templatetags.present`` are thin wrappers around these.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kechuang.synthetic.tables import CITY_CODE, DISTRICTS

EMPTY = "—"
_WAN = Decimal(10_000)
_YI = Decimal(100_000_000)
_TZ = ZoneInfo("Asia/Shanghai")
_MILLION = Decimal(1_000_000)
_BILLION = Decimal(1_000_000_000)
_REGION_NAMES = {CITY_CODE: "济南市", **{d.code: d.name_zh for d in DISTRICTS}}
_REGION_NAMES_EN = {CITY_CODE: "Jinan", **{d.code: d.name_en for d in DISTRICTS}}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def english() -> bool:
    """Whether the active language is English (the second language)."""
    return (get_language() or "").startswith("en")


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def money(yuan, places: int = 2) -> str:
    """Yuan as 万元 below one 亿 and as 亿元 from there, with thousands separators:
    16000000 → "1,600.00万元", 160000000 → "1.60亿元", None → "—". In English, millions below one
    billion and billions from there: "CNY 16.00 m", "CNY 1.60 bn"."""
    amount = _decimal(yuan)
    if amount is None:
        return EMPTY
    quantum = Decimal(1).scaleb(-places)
    if english():
        unit, divisor = ("bn", _BILLION) if abs(amount) >= _BILLION else ("m", _MILLION)
        scaled = (amount / divisor).quantize(quantum, rounding=ROUND_HALF_UP)
        return f"CNY {scaled:,.{places}f} {unit}"
    unit, divisor = ("亿元", _YI) if abs(amount) >= _YI else ("万元", _WAN)
    scaled = (amount / divisor).quantize(quantum, rounding=ROUND_HALF_UP)
    return f"{scaled:,.{places}f}{unit}"


def wan(yuan, places: int = 0) -> str:
    """Yuan as a number of 万元 with thousands separators, for a column headed "金额（万元）":
    160000000 → "16,000", 2500 → "0" (places=0), None → "—". The same figure in both languages
    (the heading says the unit)."""
    amount = _decimal(yuan)
    if amount is None:
        return EMPTY
    scaled = (amount / _WAN).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{scaled:,.{places}f}"


def percent(fraction, places: int = 2) -> str:
    """A stored fraction as a percentage: 0.0365 → "3.65%", 0.0063 → "0.63%"."""
    value = _decimal(fraction)
    if value is None:
        return EMPTY
    scaled = (value * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{scaled:.{places}f}%"


def cn_date(value) -> str:
    """2026-12-04 → "2026年12月4日" ("4 Dec 2026" in English); an aware datetime is shown in
    Asia/Shanghai with its time."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, datetime):
        local = value.astimezone(_TZ) if value.tzinfo else value
        return f"{cn_date(local.date())} {local:%H:%M}"
    if isinstance(value, date):
        if english():
            return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"
        return f"{value.year}年{value.month}月{value.day}日"
    try:
        return cn_date(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def yes_no(value) -> str:
    """True → 是, False → 否, None → —; strings "true"/"false" from JSON facts too."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "1", "yes"}:
            return _("是")
        if lowered in {"false", "0", "no"}:
            return _("否")
        return value
    return _("是") if value else _("否")


def region_name(code) -> str:
    """A GB/T 2260 code by its name: "370102" → "历下区" ("Lixia District" in English); an unknown
    code is returned as given."""
    if code is None or code == "":
        return EMPTY
    return (_REGION_NAMES_EN if english() else _REGION_NAMES).get(str(code), str(code))


#: The units of rule and model data (risk signals, talent indicators) in English: a count of loans,
#: cases or patents needs no unit; durations and multiples read as words or signs.
_UNITS_EN = {"笔": "", "件": "", "项": "", "次": "", "个": "", "人": "", "天": "days", "年": "years",
             "月": "months", "倍": "×", "%": "%"}


def unit_en(unit) -> str:
    """A data unit in English: "天" → "days", "年" → "years", "倍" → "×", "%" → "%", a count's
    measure word ("笔", "件", "项") → ""; ``None`` → ""; any other unit is returned as given."""
    if unit is None:
        return ""
    return _UNITS_EN.get(str(unit), str(unit))


def choice_label(value, choices) -> str:
    """A TextChoices value by its label ("" / None → "—"; an unknown value is returned as given)."""
    if value is None or value == "":
        return EMPTY
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


_ISO_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_PLAIN_YUAN = re.compile(r"(?<![\d.,])(\d{5,}\.\d{2})(?![\d%])")


_YEN_WAN = re.compile(r"¥(-?[\d,]+(?:\.\d+)?)万")


def readable(text) -> str:
    """A stored or engine-written free text (an audit entry's object, a gap text) in the page's
    forms: ISO dates as 2026年12月4日, plain two-decimal yuan amounts and ``¥1,640.3万`` in 万元/亿元."""
    if text is None or text == "":
        return EMPTY if text is None else ""
    out = _ISO_DATE.sub(lambda m: cn_date(m.group(1)), str(text))
    out = _YEN_WAN.sub(lambda m: money(Decimal(m.group(1).replace(",", "")) * _WAN), out)
    return _PLAIN_YUAN.sub(lambda m: money(m.group(1)), out)


#: The scorecard's words for a feature's WoE trend and its selection outcome.
_SCORECARD_TERMS = {"ascending": "递增", "descending": "递减", "peak": "先升后降", "valley": "先降后升",
                    "constant": "无变化", "auto": "自动", "all_missing": "全部缺失", "low_iv": "信息值过低",
                    "wrong_sign": "系数符号与趋势相反", "max_features": "超出特征数上限", "kept": "入模",
                    "too_few_rows": "样本过少", "missing": "缺失值"}
_SCORECARD_TERMS_EN = {"ascending": "Increasing", "descending": "Decreasing", "peak": "Rises then falls",
                       "valley": "Falls then rises", "constant": "Flat", "auto": "Automatic",
                       "all_missing": "All missing", "low_iv": "Information value too low",
                       "wrong_sign": "Coefficient sign against the trend", "max_features": "Over the feature limit",
                       "kept": "In the model", "too_few_rows": "Too few rows", "missing": "Missing"}


def scorecard_term(value) -> str:
    """A scorecard trend or selection outcome in words: ``peak`` → 先升后降, ``low_iv`` → 信息值过低,
    ``correlated:rd_intensity`` → 与“研发投入强度”高度相关."""
    if value is None or value == "":
        return EMPTY
    text = str(value)
    terms = _SCORECARD_TERMS_EN if english() else _SCORECARD_TERMS
    if text.startswith("correlated:"):
        other = key_name(text.split(':', 1)[1])
        return f"Highly correlated with “{other}”" if english() else f"与“{other}”高度相关"
    return terms.get(text, text)


def interval(label) -> str:
    """A bin's interval with infinity as ∞: ``(-inf, 0.18]`` → ``(-∞, 0.18]``; ``missing`` → 缺失值."""
    if label is None or label == "":
        return EMPTY
    text = str(label)
    if text in _SCORECARD_TERMS:
        return (_SCORECARD_TERMS_EN if english() else _SCORECARD_TERMS)[text]
    return re.sub(r"\binf\b", "∞", text)


#: Who wrote an entry when no person did: the prefix of the actor label (``demo:rating``).
_ACTOR_KINDS = {"system": "系统", "demo": "演示数据初始化", "command": "命令行", "job": "后台任务",
                "worker": "后台任务", "api": "接口调用", "test": "测试"}
_ACTOR_KINDS_EN = {"system": "System", "demo": "Demo data set-up", "command": "Command line",
                   "job": "Background job", "worker": "Background job", "api": "API call", "test": "Test"}


def actor_name(label) -> str:
    """An actor label by what it means: a machine actor (``demo:rating``, ``command:demo``,
    ``system``) by its kind in the active language; a person's label as given."""
    if label is None or label == "":
        return EMPTY
    kind = str(label).split(":", 1)[0]
    return (_ACTOR_KINDS_EN if english() else _ACTOR_KINDS).get(kind, str(label))


def percent_input(text):
    """What a person types into a percentage field, as the stored fraction: "3.85" or "3.85%" →
    Decimal("0.0385"); blank → None. Text that is not a number is returned unchanged so the service
    rejects it with its own coded error naming the field."""
    if text is None or str(text).strip() == "":
        return None
    cleaned = str(text).strip().rstrip("%％").strip()
    try:
        return Decimal(cleaned) / 100
    except (InvalidOperation, ValueError):
        return text


# --- keys by their names ----------------------------------------------------------------------------

_FACT_PATH = re.compile(r"^(?P<section>[a-z_]+)\[(?P<index>[^\]]*)\]\.(?P<field>[a-z0-9_]+)$")
_REGION_YEAR = re.compile(r"^(?P<code>\d{6}):(?P<year>\d{4})$")
#: A key inside a sentence: a fact path, a dotted clause id or metric code, a snake_case feature or
#: a standard version id (``gazelle-sd-2020``).
_KEY_IN_TEXT = re.compile(r"\b[a-z][a-z0-9_]*(?:\[[^\]\s]*\])?(?:[.\-][a-z0-9_]+)+\b|\b[a-z]+_[a-z0-9_]+\b")


def key_catalogue() -> dict[str, str]:
    """Every machine key a page may come across, by its name in the active language: the
    interchange standard's fields (``operating_revenue`` → 营业收入, ``years.operating_revenue``),
    the qualification engine's features (``market_share`` → 细分市场占有率), the standards' versions
    (``gazelle-sd-2020`` → 瞪羚企业…), the rating features (``rd_intensity`` → 研发投入强度) and their
    clauses (``gz.4.a.rev`` → the rule data's title). The engine carries both languages as data
    (``title_en``, ``label_en``), so English pages read ``operating revenue CAGR >= 25%``.
    Built once per language from the engine's own catalogues, so a new field or clause is named
    without edits."""
    return _key_catalogue(english())


@cache
def _key_catalogue(en: bool) -> dict[str, str]:
    from kechuang.engine.facts.schema import SECTIONS
    from kechuang.engine.qualification import clause_catalog, default_registry
    from kechuang.engine.qualification.english import source_en
    from kechuang.engine.qualification.features import FEATURES
    from kechuang.engine.rating.features import FEATURES as RATING_FEATURES

    names: dict[str, str] = {}
    for rating_feature in RATING_FEATURES:
        names.setdefault(rating_feature.name, rating_feature.label_en if en else rating_feature.label)
    for std in default_registry():
        if en:
            names.setdefault(std.id, f"{std.title_en} ({source_en(std.document)})" if std.document else std.title_en)
        else:
            names.setdefault(std.id, f"{std.title_zh}（{std.document}）" if std.document else std.title_zh)
    for clause_id, title in clause_catalog().select("id", "title_en" if en else "title").iter_rows():
        if title:
            names.setdefault(clause_id, title)
    for feature in FEATURES.values():
        names.setdefault(feature.name, feature.title_en if en else feature.title_zh)
    for section in SECTIONS.values():
        names.setdefault(section.name, section.label_en if en else section.label_zh)
        for f in section.fields:
            names.setdefault(f"{section.name}.{f.name}", f.label_en if en else f.label_zh)
            names.setdefault(f.name, f.label_en if en else f.label_zh)
    return names


def key_name(key, names: dict | None = None) -> str:
    """A machine key by its name in the active language: ``names`` (a page's own catalogue, e.g.
    live metrics) first, then :func:`key_catalogue`; a fact path with an index reads
    ``years[2023].operating_revenue`` → "2023年营业收入" ("2023 Operating revenue" in English),
    ``ip[].type`` → "知识产权·类型"; a district-year cell ``370102:2026`` → "历下区 2026年". An unknown
    key is returned as given."""
    if key is None or key == "":
        return EMPTY
    text = str(key)
    if names and text in names:
        return str(names[text])
    catalogue = key_catalogue()
    if text in catalogue:
        return catalogue[text]
    en = english()
    m = _REGION_YEAR.match(text)
    if m:
        return f"{region_name(m['code'])} {m['year']}" if en else f"{region_name(m['code'])} {m['year']}年"
    m = _FACT_PATH.match(text)
    if m:
        section, index, field = m["section"], m["index"], m["field"]
        label = catalogue.get(f"{section}.{field}") or catalogue.get(field, field)
        if index.isdigit():
            return f"{index} {label}" if en else f"{index}年{label}"
        return f"{catalogue.get(section, section)} · {label}" if en else f"{catalogue.get(section, section)}·{label}"
    return text


def names_in_text(text, names: dict | None = None) -> str:
    """A sentence with every key it quotes replaced by the key's name (keys nobody knows stay)."""
    if text is None or text == "":
        return EMPTY if text is None else ""
    return _KEY_IN_TEXT.sub(lambda m: key_name(m.group(0), names), str(text))


@cache
def _standard_documents() -> dict[str, str]:
    from kechuang.engine.qualification import default_registry

    return {std.id: std.document for std in default_registry() if std.document}


def standard_document(version) -> str:
    """A standard version (``gazelle-sd-2020``) by the document that issued it (鲁工信发〔2020〕8号;
    in English ``Shandong DIIT [2020] No. 8``)."""
    if version is None or version == "":
        return EMPTY
    document = _standard_documents().get(str(version))
    if document and english():
        from kechuang.engine.qualification.english import source_en

        return source_en(document)
    return document or key_name(version)


@cache
def _clause_texts() -> dict[tuple[str, str], tuple[str, str, str, str]]:
    from kechuang.engine.qualification import clause_catalog

    return {(v, i): (t, te, s, se) for v, i, t, te, s, se in clause_catalog().select(
        "version", "id", "title", "title_en", "source", "source_en").iter_rows()}


def clause_title(version: str, clause_id: str, default: str = "") -> str:
    """A standard clause's title in the active language, from the rule data (``title`` /
    ``title_en``); ``default`` (what a stored result says) for a clause the rules no longer have."""
    texts = _clause_texts().get((version, clause_id))
    if texts is None:
        return default or key_name(clause_id)
    return texts[1] if english() and texts[1] else texts[0]


def clause_source(version: str, clause_id: str, default: str = "") -> str:
    """A clause's citation (document number and article) in the active language."""
    texts = _clause_texts().get((version, clause_id))
    if texts is None:
        if english() and default:
            from kechuang.engine.qualification.english import source_en

            return source_en(default)
        return default
    return texts[3] if english() and texts[3] else texts[2]


@cache
def _clause_features() -> dict[tuple[str, str], str]:
    from kechuang.engine.qualification import clause_catalog

    return {(v, i): f for v, i, f in clause_catalog().select("version", "id", "feature").iter_rows() if f}


def clause_value(value, version: str, clause_id: str):
    """A clause's actual value or threshold as the page shows it, by the unit of the feature the
    clause tests: yuan in 万元/亿元, ratios as percentages, booleans as 是/否; other values as given."""
    from kechuang.engine.qualification.features import FEATURES

    feature = FEATURES.get(_clause_features().get((version, clause_id), ""))
    unit = feature.unit if feature is not None else ""
    if isinstance(value, list):
        return "～".join(str(clause_value(v, version, clause_id)) for v in value)
    if isinstance(value, bool):
        return yes_no(value)
    if unit == "yuan" and _decimal(value) is not None:
        return money(value)
    if unit == "ratio" and _decimal(value) is not None:
        return percent(value)
    return value


_CJK_TEXT = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def as_entered(value):
    """User data shown as it was entered (an enterprise's, plan's, indicator's or product's name, a
    quoted text): on a page in another language, Chinese text is marked as content in its own
    language (``<span lang="zh-Hans">…</span>``), so screen readers, fonts and the English page check
    (which skips such elements) treat it as Chinese; on a Chinese page it is shown unchanged."""
    if value is None:
        return ""
    text = str(value)
    if (get_language() or "zh-hans").lower().startswith("zh") or not _CJK_TEXT.search(text):
        return text
    return format_html('<span lang="zh-Hans">{}</span>', text)


def bilingual(obj, key: str = "title"):
    """A text that rule data carries in both languages (``title`` and ``title_en`` of a dict or an
    object): the English one on a page in English when it is there, else the Chinese one, marked
    as Chinese on a page in another language (:func:`as_entered`)."""
    get = obj.get if isinstance(obj, dict) else (lambda k, d=None: getattr(obj, k, d))
    if not (get_language() or "zh-hans").lower().startswith("zh") and get(f"{key}_en"):
        return get(f"{key}_en")
    return as_entered(get(key))


def cell_text(v) -> str:
    """A spreadsheet cell's value as the text an importer parses: dates as ISO, whole floats
    without ".0" (Excel stores 2025 as 2025.0), the rest stripped; an empty cell is ""."""
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()
