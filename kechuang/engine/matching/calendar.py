"""Working days for service levels (pure functions, no Django).

Weekends are not working days; statutory holidays and their adjusted working weekends (调休) are
passed in as sets of dates (``holidays``, ``workdays``) by the caller: the engine encodes no
calendar it cannot verify."""

from __future__ import annotations

import datetime as dt


def is_working_day(d: dt.date, holidays: frozenset = frozenset(), workdays: frozenset = frozenset()) -> bool:
    if d in workdays:
        return True
    return d.weekday() < 5 and d not in holidays


def add_working_days(start: dt.datetime, n: int, holidays: frozenset = frozenset(),
                     workdays: frozenset = frozenset()) -> dt.datetime:
    """The same time of day ``n`` working days after ``start`` (a step due "within n working days")."""
    d, left = start.date(), n
    while left > 0:
        d += dt.timedelta(days=1)
        if is_working_day(d, holidays, workdays):
            left -= 1
    return start + dt.timedelta(days=(d - start.date()).days)


def working_days_between(a: dt.datetime, b: dt.datetime, holidays: frozenset = frozenset(),
                         workdays: frozenset = frozenset()) -> float:
    """Elapsed working time from ``a`` to ``b`` in working days (fractions within a day)."""
    if b <= a:
        return 0.0
    total, cur = 0.0, a
    while cur < b:
        nxt = min(b, dt.datetime.combine(cur.date() + dt.timedelta(days=1), dt.time(), tzinfo=cur.tzinfo))
        if is_working_day(cur.date(), holidays, workdays):
            total += (nxt - cur).total_seconds() / 86400.0
        cur = nxt
    return total
