"""The demo step: the real plans of ``data/`` (public documents, not synthetic) loaded through the
app's own import. Running it again changes nothing."""

from __future__ import annotations

from .services import reference_import


def load_reference_plans(*, progress=None) -> dict:
    return reference_import(actor="demo:targets")
