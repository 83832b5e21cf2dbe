"""Validating JSON Lines chunks in a worker process (Django-free, so a spawned child can import
it): the importer sends each chunk with its first row; the codes already in the database and the
evaluation day are sent once, when the worker starts."""

from __future__ import annotations

from datetime import date

from .batch import BatchResult, validate_lines

_known: set[str] = set()
_today: date | None = None


def init(known: set[str], today: date) -> None:
    global _known, _today
    _known, _today = known, today


def validate(chunk: bytes, first_row: int, encoding: str) -> BatchResult:
    return validate_lines(chunk, first_row=first_row, today=_today, known=_known, encoding=encoding)
