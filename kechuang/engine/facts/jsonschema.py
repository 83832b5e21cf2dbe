"""The machine-readable standard: a JSON Schema (draft 2020-12) generated from :mod:`.schema`.

The committed copy is ``docs/enterprise-facts.schema.json``; a test fails when it differs from
:func:`render_json_schema`, so regenerate it after changing the schema::

    python -m kechuang.engine.facts.jsonschema > docs/enterprise-facts.schema.json

JSON Schema cannot express everything :func:`~.validate.validate_record` checks (the uscc check
digit, unique years, dates not after the evaluation day, cross-field consistency); those are
described in ``description`` and left to the validator.
"""

from __future__ import annotations

import json
import sys

from .schema import AMOUNT_LIMIT, INTEGER_MAX, MIN_YEAR, SCHEMA_VERSION, SECTIONS, Field, Section

SCHEMA_ID = "https://kechuang.example/schemas/enterprise-facts.schema.json"


def _field_schema(f: Field) -> dict:
    t = f.type
    out: dict = {"title": f.label_zh, "description": f.label_en + (f" — {f.help_zh}"
                                                                    if f.help_zh else "")}
    if t == "string":
        out["type"] = "string"
        if f.name == "uscc":
            out["pattern"] = "^[0-9A-HJ-NPQRTUWXY]{18}$"
            out["description"] += " The 18th character is the GB 32100-2015 check digit."
        elif f.pattern:
            out["pattern"] = f"^(?:{f.pattern})$"
        else:
            out["minLength"] = 1
    elif t == "date":
        out.update(type="string", format="date")
    elif t == "bool":
        out["type"] = "boolean"
    elif t in ("integer", "year"):
        out["type"] = "integer"
        if t == "year":
            out["minimum"] = MIN_YEAR
        elif f.minimum is not None:
            out["minimum"] = f.minimum
        if f.maximum is not None:
            out["maximum"] = f.maximum
        elif t == "integer":
            out["maximum"] = INTEGER_MAX
    elif t == "amount":
        out["type"] = "number"
        out["description"] += " Yuan (元), not 万元."
        out["exclusiveMaximum"] = AMOUNT_LIMIT
        if f.allow_negative:
            out["exclusiveMinimum"] = -AMOUNT_LIMIT
        else:
            out["minimum"] = 0
    elif t == "number":
        out["type"] = "number"
        if f.minimum is not None:
            out["minimum"] = f.minimum
        if f.maximum is not None:
            out["maximum"] = f.maximum
    elif t == "ratio":
        out.update(type="number", minimum=0, maximum=1)
        out["description"] += " A fraction: 0.05, not 5."
    elif t == "enum":
        out["enum"] = list(f.choices)
        out["x-labels-zh"] = {str(c): f.label_of(c) for c in f.choices}
    elif t == "enum_list":
        out.update(type="array", uniqueItems=True, items={"enum": list(f.choices)})
        out["x-labels-zh"] = {str(c): f.label_of(c) for c in f.choices}
    elif t == "object":
        out.update(type="object", additionalProperties={"type": ["number", "null"]})
    if f.extension:
        out["x-extension"] = True
    if f.example is not None:
        example = list(f.example) if isinstance(f.example, tuple) else f.example
        out["examples"] = [example]
    return out


def _nullable(schema: dict) -> dict:
    """``null`` means "not known" for every optional field."""
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    t = schema["type"]
    return {**schema, "type": [t, "null"]}


def _properties(fields) -> dict:
    return {f.name: (_field_schema(f) if f.required else _nullable(_field_schema(f)))
            for f in fields}


def _item_schema(sec: Section) -> dict:
    out = {"type": "object", "title": sec.label_zh, "properties": _properties(sec.fields),
           "additionalProperties": False}
    if sec.required:
        out["required"] = list(sec.required)
    if sec.key_fields:
        out["x-key-fields"] = list(sec.key_fields)
    return out


def build_json_schema() -> dict:
    """The JSON Schema of one interchange record (one JSON Lines line)."""
    profile = SECTIONS["profile"]
    properties = _properties(profile.fields)
    for sec in SECTIONS.values():
        if not sec.is_list:
            continue
        entry = {"type": ["array", "null"], "title": sec.label_zh,
                 "description": sec.label_en + (f" — {sec.help_zh}" if sec.help_zh else ""),
                 "items": {"$ref": f"#/$defs/{sec.name}"}}
        if sec.extension:
            entry["x-extension"] = True
        properties[sec.name] = entry
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "企业数据交换标准 Enterprise facts",
        "description": (
            "One enterprise per JSON Lines line. Amounts are yuan, ratios fractions, dates ISO "
            "8601; null or an absent optional field means not known. Fields marked x-extension "
            "are the platform's optional additions (docs/data-standard-extensions.md). Checked "
            "by the validator only: the uscc check digit, unique years and item keys, event "
            "dates not after the evaluation day, cross-field consistency."),
        "x-schema-version": SCHEMA_VERSION,
        "type": "object",
        "required": list(profile.required),
        "properties": properties,
        "additionalProperties": False,
        "$defs": {sec.name: _item_schema(sec) for sec in SECTIONS.values() if sec.is_list},
    }


def render_json_schema() -> str:
    """The committed text: 2-space indent, Chinese as is, a final newline."""
    return json.dumps(build_json_schema(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render_json_schema())
