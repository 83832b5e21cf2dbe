"""The latent credit risk of a synthetic enterprise, and the signals drawn from it.

Each enterprise has a 12-month probability of default (PD) after ``as_of``::

    logit(PD) = B0
              + B_LEVERAGE * (leverage - 0.5)        # total_liabilities / total_assets, ref. year
              + B_MARGIN   * net_margin              # net_profit / operating_revenue, ref. year
              + B_SIZE     * ln(employees)           # ref. year
              + B_AGE      * ln(1 + age_years)       # at as_of
              + B_GROWTH   * growth                  # mean log revenue growth of the last 2 years
              + SIGMA      * e,   e ~ N(0, 1)        # unobserved: management, customers, luck

Inputs are clipped (leverage to [0, 1.5], margin to [-1, 0.5], growth to [-0.6, 0.8]). ``e`` is
hidden from the records, but the credit *signals* (tax credit grade, social-insurance gaps, loan
overdue history, judgments, penalties, incidents) are noisy functions of the standardised
logit, so a model that reads the signals recovers part of it. ``B0`` is calibrated so the mean
PD of the population is about 4 %. docs/demo-data.md repeats this formula.
"""

from __future__ import annotations

import numpy as np

B0 = -2.4
B_LEVERAGE = 2.2
B_MARGIN = -3.0
B_SIZE = -0.22
B_AGE = -0.35
B_GROWTH = -1.0
SIGMA = 1.0

#: Mean and standard deviation of the logit over the population (measured on 200,000 firms with
#: the default seed); signals use ``r = (logit - Z_MEAN) / Z_SD``.
Z_MEAN = -3.93
Z_SD = 1.29


def latent_logit(leverage: np.ndarray, margin: np.ndarray, employees: np.ndarray,
                 age_years: np.ndarray, growth: np.ndarray, e: np.ndarray) -> np.ndarray:
    return (B0
            + B_LEVERAGE * (np.clip(leverage, 0.0, 1.5) - 0.5)
            + B_MARGIN * np.clip(margin, -1.0, 0.5)
            + B_SIZE * np.log(np.maximum(employees, 1.0))
            + B_AGE * np.log1p(np.maximum(age_years, 0.0))
            + B_GROWTH * np.clip(growth, -0.6, 0.8)
            + SIGMA * e)


def pd_from_logit(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def pd_over(pd12: np.ndarray, horizon_months: int) -> np.ndarray:
    """PD over another horizon, assuming a constant hazard: ``1 - (1 - PD12) ** (h / 12)``."""
    return 1.0 - (1.0 - pd12) ** (horizon_months / 12.0)


def standardised(z: np.ndarray) -> np.ndarray:
    return (z - Z_MEAN) / Z_SD


#: Tax credit grade cut points on ``0.8 r + 0.6 N(0, 1)`` (about A 25 %, B 67 %, C 6 %, D 2 %);
#: ``M`` is the grade of enterprises in their first year.
TAX_GRADE_CUTS = (-0.67, 1.4, 2.0)
TAX_GRADES = ("A", "B", "C", "D")
