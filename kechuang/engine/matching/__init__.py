"""Matching financing demands to products (issue 5): eligibility in the qualification engine's
rule language, the one-demand path with reasons and the vectorised batch path. Never imports
Django (import-linter contract); see ``docs/marketplace.md``."""

from .features import BOOL_FEATURES, MATCH_FEATURES, SIZES
from .match import (DEBT_KINDS, EQUITY_KINDS, Product, fitting_pairs, match_demand, match_one,
                    rank_batch, serves)
from .rules import Eligibility, evaluate, load_eligibility, status_expr

__all__ = ["BOOL_FEATURES", "DEBT_KINDS", "EQUITY_KINDS", "MATCH_FEATURES", "SIZES", "Eligibility", "Product", "evaluate",
           "fitting_pairs", "load_eligibility", "match_demand", "match_one", "rank_batch", "serves",
           "status_expr"]
