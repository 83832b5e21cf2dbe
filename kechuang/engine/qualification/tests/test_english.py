"""English is the second language (issue 11, point 2): every clause of every rule file says in
English what it asks, and every citation reads in English, so an English page shows no Chinese
from the standards."""

from __future__ import annotations

import re
import tomllib
from importlib import resources

import pytest

from kechuang.engine.qualification import builtin_registry, clause_catalog
from kechuang.engine.qualification.english import chinese_number, source_en

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
RULE_FILES = sorted(p.name for p in resources.files("kechuang.engine.qualification").joinpath("rules").iterdir()
                    if p.name.endswith(".toml"))


def _raw_clauses(node) -> list[dict]:
    """Every table of a rule file that has a title: the clauses, the score block, its groups."""
    if isinstance(node, dict):
        own = [node] if "title" in node and "id" in node else []
        return own + [c for v in node.values() for c in _raw_clauses(v)]
    if isinstance(node, list):
        return [c for v in node for c in _raw_clauses(v)]
    return []


@pytest.mark.parametrize("name", RULE_FILES)
def test_every_clause_in_the_rule_file_has_an_english_title(name):
    doc = tomllib.loads(resources.files("kechuang.engine.qualification").joinpath("rules", name).read_text("utf-8"))
    clauses = _raw_clauses(doc)
    assert clauses, name
    missing = [c["id"] for c in clauses if not c.get("title_en")]
    chinese = [(c["id"], c["title_en"]) for c in clauses if CJK.search(c.get("title_en", ""))]
    assert (missing, chinese) == ([], [])


def test_every_loaded_clause_and_standard_reads_in_english():
    missing = [(std.id, c.id) for std in builtin_registry() for c in std.root.walk()
               if not c.title_en or CJK.search(c.title_en)]
    assert missing == []


def test_the_catalogue_carries_english_titles_and_citations():
    cat = clause_catalog()
    assert cat.filter(cat["title_en"] == "").height == 0
    assert [s for s in cat["source_en"].to_list() if CJK.search(s)] == []
    row = cat.filter((cat["version"] == "gazelle-sd-2020") & (cat["id"] == "gz.4.a.rev")).row(0, named=True)
    assert (row["title"], row["title_en"]) == ("营业收入复合增长率 ≥ 25%", "operating revenue CAGR >= 25%")


@pytest.mark.parametrize(("zh", "en"), [
    ("国科发火〔2016〕32号 第十一条（五）1", "MOST Torch [2016] No. 32 Art. 11(5)1"),
    ("工信部企业〔2022〕63号 附件2 二（四）1 A", "MIIT SME [2022] No. 63 Annex 2 II(4)1 A"),
    ("鲁工信发〔2020〕8号 第二章 条件1", "Shandong DIIT [2020] No. 8 Ch. 2 Condition 1"),
    ("国科发政〔2017〕115号 第六条（五）、第七条", "MOST Policy [2017] No. 115 Art. 6(5), Art. 7"),
    ("工信部企业〔2022〕63号 附件3 第二章（原则上）", "MIIT SME [2022] No. 63 Annex 3 Ch. 2 (in principle)"),
    ("", ""),
])
def test_citations_in_english(zh, en):
    assert source_en(zh) == en


@pytest.mark.parametrize(("zh", "n"), [("一", 1), ("九", 9), ("十", 10), ("十一", 11), ("二十", 20), ("二十三", 23)])
def test_chinese_numbers(zh, n):
    assert chinese_number(zh) == n
