"""Working days for service levels."""

import datetime as dt

import pytest

from kechuang.engine.matching.calendar import add_working_days, working_days_between

TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize("start, n, due", [
    ("2026-11-20T10:00", 2, "2026-11-24T10:00"),  # Friday + 2 working days = Tuesday
    ("2026-11-23T09:30", 3, "2026-11-26T09:30"),  # Monday + 3 = Thursday
    ("2026-11-21T15:00", 1, "2026-11-23T15:00"),  # Saturday + 1 = Monday
])
def test_add_working_days(start, n, due):
    s = dt.datetime.fromisoformat(start).replace(tzinfo=TZ)
    assert add_working_days(s, n) == dt.datetime.fromisoformat(due).replace(tzinfo=TZ)


def test_holidays_and_adjusted_workdays_are_parameters():
    s = dt.datetime(2026, 9, 30, 10, tzinfo=TZ)
    holidays = frozenset(dt.date(2026, 10, d) for d in range(1, 8))
    assert add_working_days(s, 1, holidays) == dt.datetime(2026, 10, 8, 10, tzinfo=TZ)
    assert add_working_days(s, 1, holidays, workdays=frozenset({dt.date(2026, 10, 3)})) == \
        dt.datetime(2026, 10, 3, 10, tzinfo=TZ)


def test_elapsed_working_days_skip_the_weekend():
    a = dt.datetime(2026, 11, 20, 12, tzinfo=TZ)  # Friday noon
    b = dt.datetime(2026, 11, 23, 12, tzinfo=TZ)  # Monday noon
    assert working_days_between(a, b) == pytest.approx(1.0)
    assert working_days_between(b, a) == 0.0
