"""Test data for the targets app: the bundled real plans, small plans built from CSV text."""

from __future__ import annotations

from kechuang.targets.loading import parse_rows
from kechuang.targets.services import reference_import, targets_import

PLAN_CSV = """规划,地区,区划代码,印发机关,文号,规划期起,规划期止,基期年
测试规划,济南市,370100,测试机关,测字〔2020〕1号,2021,2025,2020
"""


def csv_rows(text: str, kind: str):
    return parse_rows(text.encode("utf-8"), f"{kind}.csv", kind)


def small_plan(indicators: str = "", tasks: str = "", actor="test"):
    """``测试规划`` (2021–2025, Jinan) with the indicator and task rows given as CSV text."""
    return targets_import(plans=csv_rows(PLAN_CSV, "plans"),
                          indicators=csv_rows(indicators, "indicators") if indicators else [],
                          tasks=csv_rows(tasks, "tasks") if tasks else [], actor=actor, file_name="test.csv")


def reference(actor="test"):
    return reference_import(actor=actor)
