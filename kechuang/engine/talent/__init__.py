"""Talent value (人才有价): the 才/彩/采/财 valuation model as versioned data, a Polars batch and a
per-person explain path, team values and the 人才贷 limit rule. Never imports Django."""

from .facts import PersonFactsError, check_facts, flat_facts
from .model import FACTS, Problem, TalentModel, TalentModelError, bundled_model, load_model, model_from_dict, programmes
from .privacy import id_hash, mask_id, mask_name, valid_id
from .valuation import FACTS_SCHEMA, explain, row_result, talent_loan_limit, team_values, value_batch

__all__ = ["FACTS", "FACTS_SCHEMA", "PersonFactsError", "Problem", "TalentModel", "TalentModelError", "bundled_model",
           "check_facts", "explain", "flat_facts", "id_hash", "load_model", "mask_id", "mask_name", "model_from_dict",
           "programmes", "row_result", "talent_loan_limit", "team_values", "valid_id", "value_batch"]
