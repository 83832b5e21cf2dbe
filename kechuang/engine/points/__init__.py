"""Innovation points (企业创新积分, issue 15 points 1–2): versioned scoring models as data, the facts
they read, and the scorer (batch and one-enterprise paths). Django-free."""

from .facts import FACT_NAMES, FACTS, FACTS_BY_NAME, FACTS_SCHEMA, facts_frame, record_facts
from .formula import FormulaError, compile_formula
from .model import SCHEMA_VERSION, PointsModel, PointsModelError, bundled_models, load_model
from .scoring import PointsScorer, rank_within, row_result

__all__ = ["FACTS", "FACTS_BY_NAME", "FACTS_SCHEMA", "FACT_NAMES", "SCHEMA_VERSION", "FormulaError",
           "PointsModel", "PointsModelError", "PointsScorer", "bundled_models", "compile_formula",
           "facts_frame", "load_model", "rank_within", "record_facts", "row_result"]
