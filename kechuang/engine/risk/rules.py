"""Warning rules as versioned plain data (TOML), checked on load.

A rule set names, for each signal of :data:`kechuang.engine.risk.signals.SIGNALS`, thresholds that
give it a level (蓝 blue < 黄 yellow < 橙 orange < 红 red), and escalation rules that raise an
enterprise when several signals fire together. Every problem is reported with where it is
(``signals[2].thresholds[0].min``) and why; nothing is silently defaulted.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

SCHEMA_VERSION = 1

#: Levels in rising order; 0 is "no warning".
LEVELS: tuple[str, ...] = ("none", "blue", "yellow", "orange", "red")
LEVEL_RANK: dict[str, int] = {name: i for i, name in enumerate(LEVELS)}

#: The signals the engine computes (``signals.py``): item signals from the record's lists, then
#: the enterprise-level ones.
ITEM_SIGNALS: tuple[str, ...] = ("overdue_now", "overdue_history", "market_default", "litigation",
                                 "enforcement", "penalty", "penalty_severe", "dishonesty_list",
                                 "abnormal_list", "equity_freeze", "incident")
ENTERPRISE_SIGNALS: tuple[str, ...] = ("tax_grade", "si_drop", "pd_ratio", "pd")
SIGNAL_NAMES: tuple[str, ...] = ITEM_SIGNALS + ENTERPRISE_SIGNALS


class RuleSetError(ValueError):
    """A rule set that cannot be used: ``problems`` lists ``(where, reason)``."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{where}: {reason}" for where, reason in problems))


@dataclass(frozen=True)
class Threshold:
    min: float
    level: int


@dataclass(frozen=True)
class SignalRule:
    name: str
    label: str
    label_en: str
    unit: str
    thresholds: tuple[Threshold, ...]


@dataclass(frozen=True)
class Escalation:
    level: int
    signals: int
    to: int


@dataclass(frozen=True)
class RuleSet:
    version: str
    title: str
    signals: tuple[SignalRule, ...]
    escalations: tuple[Escalation, ...]

    @property
    def by_name(self) -> dict[str, SignalRule]:
        return {s.name: s for s in self.signals}

    def as_json(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "version": self.version, "title": self.title,
                "signals": [{"name": s.name, "label": s.label, "label_en": s.label_en, "unit": s.unit,
                             "thresholds": [{"min": t.min, "level": LEVELS[t.level]} for t in s.thresholds]}
                            for s in self.signals],
                "escalation": [{"level": LEVELS[e.level], "signals": e.signals, "to": LEVELS[e.to]}
                               for e in self.escalations]}


def _level(value: Any, where: str, problems: list) -> int:
    if value not in LEVEL_RANK or value == "none":
        problems.append((where, f"level must be one of blue, yellow, orange, red, got {value!r}"))
        return 0
    return LEVEL_RANK[value]


def check_rules(data: dict[str, Any], known_signals: frozenset[str] | None = None) -> RuleSet:
    """A :class:`RuleSet` from parsed TOML/JSON, or :class:`RuleSetError` with every problem."""
    known = known_signals if known_signals is not None else frozenset(SIGNAL_NAMES)
    problems: list[tuple[str, str]] = []
    if not isinstance(data, dict):
        raise RuleSetError([("", "the rule set must be a table")])
    if data.get("schema_version") != SCHEMA_VERSION:
        problems.append(("schema_version", f"must be {SCHEMA_VERSION}, got {data.get('schema_version')!r}"))
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        problems.append(("version", "a non-empty string is required"))
    signals: list[SignalRule] = []
    seen: set[str] = set()
    raw_signals = data.get("signals")
    if not isinstance(raw_signals, list) or not raw_signals:
        problems.append(("signals", "at least one signal is required"))
        raw_signals = []
    for i, s in enumerate(raw_signals):
        where = f"signals[{i}]"
        if not isinstance(s, dict):
            problems.append((where, "must be a table"))
            continue
        name = s.get("name")
        if name not in known:
            problems.append((f"{where}.name", f"unknown signal {name!r}"))
            continue
        if name in seen:
            problems.append((f"{where}.name", f"signal {name!r} is listed twice"))
            continue
        seen.add(name)
        thresholds: list[Threshold] = []
        raw_t = s.get("thresholds")
        if not isinstance(raw_t, list) or not raw_t:
            problems.append((f"{where}.thresholds", "at least one threshold is required"))
            raw_t = []
        for j, t in enumerate(raw_t):
            tw = f"{where}.thresholds[{j}]"
            m = t.get("min") if isinstance(t, dict) else None
            if isinstance(m, bool) or not isinstance(m, int | float) or m <= 0:
                problems.append((f"{tw}.min", f"a number above zero is required, got {m!r}"))
                continue
            thresholds.append(Threshold(float(m), _level(t.get("level"), f"{tw}.level", problems)))
        mins = [t.min for t in thresholds]
        ranks = [t.level for t in thresholds]
        if mins != sorted(mins) or len(set(mins)) != len(mins) or ranks != sorted(ranks):
            problems.append((f"{where}.thresholds", "thresholds must rise in min and in level"))
        signals.append(SignalRule(name, str(s.get("label") or name), str(s.get("label_en") or name),
                                  str(s.get("unit") or ""), tuple(thresholds)))
    escalations: list[Escalation] = []
    for i, e in enumerate(data.get("escalation") or []):
        where = f"escalation[{i}]"
        n = e.get("signals") if isinstance(e, dict) else None
        if isinstance(n, bool) or not isinstance(n, int) or n < 2:
            problems.append((f"{where}.signals", f"an integer of at least 2 is required, got {n!r}"))
            continue
        lv = _level(e.get("level"), f"{where}.level", problems)
        to = _level(e.get("to"), f"{where}.to", problems)
        if lv and to and to <= lv:
            problems.append((f"{where}.to", "must be above level"))
        escalations.append(Escalation(lv, n, to))
    if problems:
        raise RuleSetError(problems)
    return RuleSet(version.strip(), str(data.get("title") or version), tuple(signals), tuple(escalations))


def load_rules(text: str | None = None) -> RuleSet:
    """The rule set in ``text`` (TOML), or the packaged default (``rules/default.toml``)."""
    if text is None:
        text = resources.files("kechuang.engine.risk").joinpath("rules/default.toml").read_text("utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleSetError([("", f"not valid TOML: {exc}")]) from None
    return check_rules(data)
