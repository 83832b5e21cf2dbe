"""Policy funds (issue 13): programmes as versioned rule data and the claims platform facts give.

A library that never imports Django (import-linter contract). Programmes are TOML documents
(``programmes/*.toml``) checked on load (:func:`load_programme`); :func:`claims_batch` computes a
year's claims for a population with Polars, :func:`claims_loop` / :func:`claim_for` one at a time.
See ``docs/funds.md``."""

from .claims import (CERTS_SCHEMA, CLAIMS_SCHEMA, LOANS_SCHEMA, LOSSES_SCHEMA, add_months, cents, claim_for,
                     claims_batch, claims_loop, subject_facts, window)
from .formula import Formula, FormulaError, parse_formula
from .simulate import propose, simulate
from .programme import (BASIS_FACTS, CLAIMANTS, ONE_TIME_BASES, SCHEMA_VERSION, Programme, builtin_programmes,
                        load_programme)

__all__ = ["BASIS_FACTS", "CERTS_SCHEMA", "CLAIMANTS", "CLAIMS_SCHEMA", "LOANS_SCHEMA", "LOSSES_SCHEMA",
           "ONE_TIME_BASES", "SCHEMA_VERSION", "Formula", "FormulaError", "Programme", "add_months", "builtin_programmes",
           "cents", "claim_for", "propose", "simulate", "claims_batch", "claims_loop", "load_programme", "parse_formula", "subject_facts",
           "window"]
