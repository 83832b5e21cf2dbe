"""Errors raised by the IP valuation engine."""

from __future__ import annotations


class ModelError(ValueError):
    """A valuation model's data is invalid. ``problems`` lists every problem found, not just the first."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid IP valuation model {source}: {len(self.problems)} problem(s)\n{lines}")


class UnknownModelError(LookupError):
    """A model id that no bundled model answers to."""
