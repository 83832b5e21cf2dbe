"""Progress of one indicator towards one target: progress share, required vs achieved growth
(CAGR), a forecast of the target year's value with a prediction band, and a status.

All numbers are plain ``float`` here (statistics, not money); the app keeps the stored values as
``Decimal`` and converts at the boundary. Rules are documented in ``docs/targets.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

HIGHER = "higher"
LOWER = "lower"

#: Relative tolerance of a target qualified 左右 ("about"): within 5 % counts as met.
ABOUT_TOLERANCE = 0.05
#: Qualifiers that mean "strictly more than" (突破/超过); the rest of the floor family means ">=".
STRICT_QUALIFIERS = frozenset({"突破", "超过"})
ABOUT_QUALIFIERS = frozenset({"左右", "约"})

#: Two-sided Student t quantiles for an 80 % interval (0.9 quantile) by degrees of freedom.
_T90 = {1: 3.078, 2: 1.886, 3: 1.638, 4: 1.533, 5: 1.476, 6: 1.440, 7: 1.415, 8: 1.397, 9: 1.383,
        10: 1.372, 12: 1.356, 15: 1.341, 20: 1.325, 30: 1.310}


def t90(df: int) -> float:
    """The 0.9 quantile of Student's t with ``df`` degrees of freedom (table; 1.2816 beyond 30)."""
    if df <= 0:
        raise ValueError("degrees of freedom must be positive")
    if df > 30:
        return 1.2816
    keys = sorted(k for k in _T90 if k >= df)
    return _T90[keys[0]]


class Status(StrEnum):
    MET = "met"
    MISSED = "missed"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


def meets(value: float, target: float, *, direction: str = HIGHER, qualifier: str = "") -> bool:
    """Does ``value`` satisfy ``target`` read with its qualifier? 左右/约: within 5 %;
    突破/超过: strictly beyond; anything else (以上, 不低于, none): at least (at most when lower is
    better)."""
    if qualifier in ABOUT_QUALIFIERS:
        return abs(value - target) <= ABOUT_TOLERANCE * abs(target) or (
            value > target if direction == HIGHER else value < target)
    if qualifier in STRICT_QUALIFIERS:
        return value > target if direction == HIGHER else value < target
    return value >= target if direction == HIGHER else value <= target


def progress_share(*, actual: float, target: float, baseline: float | None = None,
                   direction: str = HIGHER) -> float | None:
    """Share of the way from baseline to target covered by ``actual`` (1.0 = reached). Without a
    baseline: actual / target (target / actual when lower is better). ``None`` when undefined."""
    if baseline is not None and target != baseline:
        return (actual - baseline) / (target - baseline)
    if direction == HIGHER:
        return actual / target if target else None
    return target / actual if actual else None


def cagr(start: float, end: float, years: float) -> float | None:
    """Compound annual growth rate from ``start`` to ``end`` over ``years`` (``None`` if undefined)."""
    if years <= 0 or start <= 0 or end <= 0:
        return None
    return (end / start) ** (1.0 / years) - 1.0


@dataclass(frozen=True)
class Forecast:
    year: int
    value: float
    low: float
    high: float
    method: str  # "loglinear" (>= 3 points), "cagr-2pt" (2 points), "none"
    points: int


def forecast(points: list[tuple[int, float]], year: int) -> Forecast | None:
    """The value in ``year`` from the observed ``(year, value)`` points, with an 80 % band.

    * 3 or more positive points: ordinary least squares of ln(value) on the year (constant growth),
      the 80 % **prediction** interval ``exp(ŷ ± t(n-2) · s · sqrt(1 + 1/n + (x0-x̄)²/Sxx))``.
    * 2 points: extrapolate their CAGR; with no residual to estimate the error from, the band
      assumes the growth rate could be half or one and a half times what it was (documented
      fallback, labelled ``cagr-2pt``).
    * fewer, or non-positive values: no forecast (``None``).
    """
    pts = sorted({y: v for y, v in points}.items())
    if len(pts) < 2 or any(v <= 0 for _, v in pts):
        return None
    n = len(pts)
    if n == 2:
        (y0, v0), (y1, v1) = pts
        rate = math.log(v1 / v0) / (y1 - y0)
        h = year - y1
        value = v1 * math.exp(rate * h)
        a, b = v1 * math.exp(0.5 * rate * h), v1 * math.exp(1.5 * rate * h)
        return Forecast(year, value, min(a, b), max(a, b), "cagr-2pt", 2)
    xs = [float(y) for y, _ in pts]
    ys = [math.log(v) for _, v in pts]
    xbar, ybar = sum(xs) / n, sum(ys) / n
    sxx = sum((x - xbar) ** 2 for x in xs)
    slope = sum((x - xbar) * (y - ybar) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = ybar - slope * xbar
    resid = [y - (intercept + slope * x) for x, y in zip(xs, ys, strict=True)]
    s = math.sqrt(sum(r * r for r in resid) / (n - 2))
    pred = intercept + slope * year
    half = t90(n - 2) * s * math.sqrt(1 + 1 / n + (year - xbar) ** 2 / sxx)
    return Forecast(year, math.exp(pred), math.exp(pred - half), math.exp(pred + half), "loglinear", n)


@dataclass(frozen=True)
class Assessment:
    status: Status
    latest_year: int | None
    latest_value: float | None
    progress: float | None
    required_rate: float | None
    achieved_rate: float | None
    forecast: Forecast | None


def assess(*, target: float, target_year: int, points: list[tuple[int, float]], as_of_year: int,
           baseline: tuple[int, float] | None = None, direction: str = HIGHER,
           qualifier: str = "") -> Assessment:
    """Status of one target given the observed points (actuals; the baseline counts as a point).

    * The target year has an actual: **met** / **missed** by :func:`meets`.
    * The target year has passed without an actual, or nothing observed: **no data**.
    * Otherwise, from the forecast's 80 % band for the target year: **on track** when the whole
      band meets the target, **off track** when none of it does, **at risk** in between.
      With a single point (no forecast): on track if it already meets the target, else no data.
    """
    obs = dict(points)
    if baseline is not None:
        obs.setdefault(baseline[0], baseline[1])
    series = sorted(obs.items())
    latest_year, latest_value = series[-1] if series else (None, None)
    base = baseline or (series[0] if series else None)
    base_value = base[1] if base and base[0] != latest_year else None
    prog = (progress_share(actual=latest_value, target=target, baseline=base_value, direction=direction)
            if latest_value is not None else None)
    achieved = (cagr(series[0][1], latest_value, latest_year - series[0][0])
                if len(series) >= 2 else None)
    required = (cagr(latest_value, target, target_year - latest_year)
                if latest_value is not None and latest_year is not None and target_year > latest_year else None)
    if target_year in obs:
        ok = meets(obs[target_year], target, direction=direction, qualifier=qualifier)
        return Assessment(Status.MET if ok else Status.MISSED, latest_year, latest_value, prog, required,
                          achieved, None)
    if not series or as_of_year > target_year:
        return Assessment(Status.NO_DATA, latest_year, latest_value, prog, required, achieved, None)
    fc = forecast(series, target_year)
    if fc is None:
        status = Status.ON_TRACK if meets(latest_value, target, direction=direction,
                                          qualifier=qualifier) else Status.NO_DATA
        return Assessment(status, latest_year, latest_value, prog, required, achieved, None)
    low_ok = meets(fc.low if direction == HIGHER else fc.high, target, direction=direction, qualifier=qualifier)
    high_ok = meets(fc.high if direction == HIGHER else fc.low, target, direction=direction, qualifier=qualifier)
    status = Status.ON_TRACK if low_ok else (Status.AT_RISK if high_ok else Status.OFF_TRACK)
    return Assessment(status, latest_year, latest_value, prog, required, achieved, fc)
