"""Errors raised by the qualification engine."""

from __future__ import annotations


class RuleError(ValueError):
    """A standard's rule data is invalid. ``problems`` lists every problem found, not just the first."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid standard {source}: {len(self.problems)} problem(s)\n{lines}")


class UnknownStandardError(LookupError):
    """A standard id or family id that no loaded standard answers to on the given date."""
