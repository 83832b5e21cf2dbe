"""Deterministic synthetic enterprises of Jinan (合成数据 / synthetic data) for demos, tests and
benchmarks. A plain library: it never imports Django.

>>> from kechuang.synthetic import generate
>>> rec = next(generate(1))
>>> rec["region_code"][:4]
'3701'

See docs/demo-data.md for the distributions, the latent risk model and the file conventions.
"""

from . import risk
from .generator import (
    DEFAULT_AS_OF,
    DEFAULT_SEED,
    generate,
    generate_outcomes,
    write_jsonl,
    write_outcomes_csv,
)
from .tables import DISTRICTS, INDUSTRIES, District

__all__ = [
    "DEFAULT_AS_OF", "DEFAULT_SEED", "DISTRICTS", "INDUSTRIES", "District", "generate", "risk",
    "generate_outcomes", "write_jsonl", "write_outcomes_csv",
]
