"""IP valuation for pledge financing on the GB/T 42748-2023 structure (issue 12).

Models are versioned data (``models/*.toml``, checked by :func:`load_model`); :func:`value_item`
values one ``ip[]`` item with its reasons, :func:`value_batch` values a Polars frame of items with
the same formulas. See ``docs/ip.md``.
"""

from .errors import ModelError, UnknownModelError
from .model import FACTS, SCHEMA_VERSION, ValuationModel, bundled_models, get_model, load_model
from .value import InputError, Valuation, annuity_factor, value_batch, value_item

__all__ = ["FACTS", "SCHEMA_VERSION", "InputError", "ModelError", "UnknownModelError", "Valuation",
           "ValuationModel", "annuity_factor", "bundled_models", "get_model", "load_model", "value_batch",
           "value_item"]
