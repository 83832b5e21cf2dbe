"""Reading a rule document (a standard, a programme, pool rules, a valuation model …).

Every engine keeps its rules as versioned data: a TOML or JSON file, or a dict built in code. This
is the one reader they share, so a file that cannot be read or parsed fails the same way everywhere:
with the engine's own error class, naming the file.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any


def read_rule_doc(source: str | Path | dict[str, Any],
                  error: Callable[[str, list[str]], Exception]) -> tuple[dict[str, Any], str]:
    """The document and the name to report it by (the file name, or the dict's ``id``).

    A ``.json`` file is read as JSON, anything else as TOML; a file that cannot be read or parsed
    raises ``error(name, ["cannot parse: …"])``."""
    if isinstance(source, dict):
        return source, str(source.get("id", "<dict>"))
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (OSError, ValueError) as exc:
        raise error(path.name, [f"cannot parse: {exc}"]) from exc
    return doc, path.name
