"""Listing milestones in their one legal order: 股改 → 辅导备案 → 申报 → 过会 → 注册 → 上市.

An enterprise reaches them one after another: a milestone is refused when the one before it is not
recorded, when a later one already is, when it is already recorded, or when its date is before the
previous milestone's or after today."""

from __future__ import annotations

import datetime as dt

#: (code, 中文, English) in order; the rank is the position + 1.
MILESTONES: tuple[tuple[str, str, str], ...] = (
    ("joint_stock", "股改", "joint-stock reform"),
    ("tutoring", "辅导备案", "tutoring filed"),
    ("application", "申报", "application filed"),
    ("approval", "过会", "approved by the listing committee"),
    ("registration", "注册", "registration granted"),
    ("listed", "上市", "listed"),
)
_RANK = {code: i + 1 for i, (code, _zh, _en) in enumerate(MILESTONES)}


def milestone_rank(code: str | None) -> int:
    """1 (股改) … 6 (上市); 0 for none."""
    return _RANK.get(code or "", 0)


def sequence_problem(recorded: dict[str, dt.date], kind: str, on: dt.date,
                     today: dt.date) -> tuple[str, str, str] | None:
    """Why ``kind`` on ``on`` cannot follow the ``recorded`` milestones (code → date), as
    ``(error code, 中文, English)``; ``None`` when it can."""
    rank = _RANK.get(kind)
    if rank is None:
        return ("bad_milestone", f"未知的里程碑 {kind!r}", f"unknown milestone {kind!r}")
    zh = MILESTONES[rank - 1][1]
    if kind in recorded:
        return ("milestone_exists", f"“{zh}”已登记（{recorded[kind].isoformat()}）",
                f"{MILESTONES[rank - 1][2]} is already recorded ({recorded[kind].isoformat()})")
    if on > today:
        return ("future_date", f"“{zh}”日期 {on.isoformat()} 在未来", f"date {on.isoformat()} is in the future")
    later = [c for c in recorded if _RANK.get(c, 0) > rank]
    if later:
        last = max(later, key=lambda c: _RANK[c])
        return ("out_of_order", f"已登记更后的“{MILESTONES[_RANK[last] - 1][1]}”，不能再登记“{zh}”",
                f"{MILESTONES[_RANK[last] - 1][2]} is already recorded; {MILESTONES[rank - 1][2]} cannot come after it")
    if rank > 1:
        prev_code, prev_zh, prev_en = MILESTONES[rank - 2]
        if prev_code not in recorded:
            return ("out_of_order", f"须先登记“{prev_zh}”，才能登记“{zh}”",
                    f"{prev_en} must be recorded before {MILESTONES[rank - 1][2]}")
        if on < recorded[prev_code]:
            return ("out_of_order", f"“{zh}”日期 {on.isoformat()} 早于“{prev_zh}”（{recorded[prev_code].isoformat()}）",
                    f"date {on.isoformat()} is before {prev_en} ({recorded[prev_code].isoformat()})")
    return None
