"""The quarantine fix form: one input per field of a quarantined record, labelled with the field's
Chinese name from the interchange standard (``engine.facts.schema``), the record's problems shown
beside the field each concerns. It only turns what people type back into the record's JSON types;
validation and loading stay in ``services.quarantined_row_resubmit``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.core import formatting
from kechuang.engine.facts.schema import SECTIONS, USCC, Field
from kechuang.engine.facts.uscc import is_valid_uscc

W = {"class": "form-control form-control-sm"}
S = {"class": "form-select form-select-sm"}
LIST_SPLIT = re.compile(r"[、,，;；\s]+")
INTEGER = re.compile(r"[+-]?\d+")
PROFILE = SECTIONS["profile"]


@dataclass
class Entry:
    """One input: where the value sits in the record (``path``: ``name``, ``years[0].employees``),
    the standard's field (``None`` for a field the standard does not have) and the section item."""

    name: str
    path: str
    field: Field | None
    label: str
    group: str


def _label(x) -> str:
    """A field's or section's label in the page's language (the standard has both)."""
    return x.label_en if formatting.english() else x.label_zh


def _item_label(section, item: Any, index: int) -> str:
    keys = section.key_fields or ()
    if keys and isinstance(item, dict) and all(item.get(k) not in (None, "") for k in keys):
        return f"{_label(section)}[{'|'.join(str(item[k]) for k in keys)}]"
    return f"{_label(section)}[{index + 1}]" if formatting.english() else f"{section.label_zh}[第{index + 1}项]"


def record_entries(data: dict[str, Any], error_paths: set[str]) -> list[Entry]:
    """The record's fields in the standard's order (the profile, then each list item), plus the
    creation fields and any field an error names, so every problem has an input to fix it in."""
    out: list[Entry] = []

    def add(path: str, f: Field | None, label: str, group: str) -> None:
        out.append(Entry(f"f{len(out)}", path, f, label, group))

    top = _label(PROFILE)
    for f in PROFILE.fields:
        if f.name in data or f.name in error_paths or f.name in ("uscc", "name", "registered_on"):
            add(f.name, f, _label(f), top)
    for key in data:
        if key not in PROFILE.by_name and key not in SECTIONS:
            add(key, None, str(key), top)
    for name, section in SECTIONS.items():
        if name == "profile" or name not in data:
            continue
        items = data[name]
        if not isinstance(items, list):
            add(name, None, _label(section), _label(section))
            continue
        for i, item in enumerate(items):
            group = _item_label(section, item, i)
            if not isinstance(item, dict):
                add(f"{name}[{i}]", None, group, _label(section))
                continue
            for f in section.fields:
                path = f"{name}[{i}].{f.name}"
                if f.name in item or path in error_paths:
                    add(path, f, _label(f), group)
            for key in item:
                if key not in section.by_name:
                    add(f"{name}[{i}].{key}", None, str(key), group)
    return out


def _get(data: Any, path: str) -> Any:
    for part in re.findall(r"[^.\[\]]+", path):
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def _set(data: dict, path: str, value: Any) -> None:
    parts = re.findall(r"[^.\[\]]+", path)
    node: Any = data
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    elif value is None:
        node.pop(last, None)  # an emptied input: "not known" in the standard
    else:
        node[last] = value


def _shown(value: Any, f: Field | None) -> str:
    """A stored value as text in its input."""
    if value is None:
        return ""
    if f is not None and f.type == "enum_list" and isinstance(value, list):
        return "、".join(map(str, value))
    if isinstance(value, dict | list) or (f is not None and f.type == "object"):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number(text: str, f: Field) -> Any:
    """Typed text as the JSON number the standard wants; text that is no number stays text, so the
    validator names the field and the reason."""
    cleaned = text.replace(",", "").replace("，", "").strip()
    if f.type in ("integer", "year"):
        return int(cleaned) if INTEGER.fullmatch(cleaned) else text
    percent = f.type == "ratio" and cleaned.endswith(("%", "％"))
    try:
        d = Decimal(cleaned.rstrip("%％").strip())
    except InvalidOperation:
        return text
    if not d.is_finite():
        return text
    if percent:
        d = d / 100
    return int(d) if d == d.to_integral_value() and f.type == "amount" and "." not in cleaned else float(d)


def parse(text: str, f: Field | None) -> Any:
    """What a person typed, in the record's type (``None`` when emptied)."""
    text = (text or "").strip()
    if text == "":
        return None
    if f is None or f.type == "object":
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    if f.type == "bool":
        return {"true": True, "false": False}.get(text, text)
    if f.type in ("integer", "year", "amount", "number", "ratio"):
        return _number(text, f)
    if f.type == "enum_list":
        return [v for v in LIST_SPLIT.split(text) if v]
    return text


def error_message(err: dict, *, without_path: bool = False) -> str:
    """A stored problem's message in the request's language: the engine keeps an English one
    (``message_en``) beside the Chinese; ``without_path`` drops the path it starts with (shown apart)."""
    message = str(err.get("message") or "")
    english = str(err.get("message_en") or "") if formatting.english() else ""
    if not english:
        return message
    path = str(err.get("path") or err.get("field") or "")
    if without_path and path and english.startswith(path + " "):
        return english[len(path) + 1:]
    return english


class QuarantineFixForm(forms.Form):
    """One input per field of ``row``'s record. The USCC is shown, not editable, when the
    quarantined one is valid (a fix corrects the record; it never re-points it)."""

    def __init__(self, row, *a, **kw):
        super().__init__(*a, **kw)
        self.row = row
        self.data_in = row.data if isinstance(row.data, dict) else {}
        self.row_errors = [e for e in row.errors or [] if isinstance(e, dict)]
        paths = {str(e.get("path") or "") for e in self.row_errors}
        self.uscc_locked = is_valid_uscc(row.uscc or "")
        self.entries = record_entries(self.data_in, paths)
        for e in self.entries:
            self.fields[e.name] = self._field(e)
            self.initial[e.name] = _shown(_get(self.data_in, e.path), e.field)
        self.placed: dict[str, list[str]] = {}
        self.unplaced: list[str] = []
        self.show_errors(self.row_errors)

    def _field(self, e: Entry) -> forms.Field:
        f = e.field
        attrs = {"data-path": e.path}
        help_text = ""
        if f is not None:
            help_text = f.help_of(formatting.english())
        else:
            help_text = _("数据标准中没有该字段：清空即删除。") if e.path != e.label else ""
        if f is USCC or e.path == "uscc":
            return forms.CharField(label=_label(USCC), required=False, disabled=self.uscc_locked,
                                   help_text=_("修正的记录保留原统一社会信用代码，不能修改。") if self.uscc_locked
                                   else _("原代码无效，请更正。"), widget=forms.TextInput(attrs={**W, **attrs}))
        if f is not None and f.type == "bool":
            return forms.ChoiceField(label=e.label, required=False, help_text=help_text,
                                     choices=[("", "—"), ("true", _("是")), ("false", _("否"))],
                                     widget=forms.Select(attrs={**S, **attrs}))
        if f is not None and f.type == "enum":
            current = _get(self.data_in, e.path)
            choices = [("", "—"), *((k, f"{v}（{k}）") for k, v in f.choice_labels_zh.items())]
            if current not in (None, "") and str(current) not in f.choice_labels_zh:
                choices.append((str(current), _("%(v)s（不是可选值）") % {"v": current}))
            return forms.ChoiceField(label=e.label, required=False, help_text=help_text, choices=choices,
                                     widget=forms.Select(attrs={**S, **attrs}))
        if f is not None and f.type == "date":
            # a date picker rather than a typed format; the catalogue's format hint is not needed
            return forms.CharField(label=e.label, required=False, strip=True,
                                   help_text=re.sub(r"格式 \S+?。", "", help_text),
                                   widget=forms.DateInput(format="%Y-%m-%d", attrs={**W, **attrs, "type": "date"}))
        widget = forms.Textarea(attrs={**W, **attrs, "rows": 2}) if f is None or f.type == "object" \
            else forms.TextInput(attrs={**W, **attrs})
        return forms.CharField(label=e.label, required=False, help_text=help_text, widget=widget, strip=False)

    def show_errors(self, errors: list[dict]) -> None:
        """Put each problem beside the input of the path it names; the rest above the form."""
        by_path = {e.path: e.name for e in self.entries}
        self.placed, self.unplaced = {}, []
        for err in errors:
            path, message = str(err.get("path") or ""), error_message(err)
            name = by_path.get(path)
            if name is None and path:  # a list item's problem without a field: its first input
                name = next((e.name for e in self.entries if e.path.startswith(path + ".")), None)
            if name is None:
                self.unplaced.append(message)
            else:
                self.placed.setdefault(name, []).append(message)

    def rows(self):
        """(group, bound field, problems beside it, path) in the record's order."""
        return [(e.group, self[e.name], self.placed.get(e.name, []), e.path) for e in self.entries]

    def record(self) -> dict[str, Any]:
        """The corrected record: the original with each input's value put back in its type."""
        data = json.loads(json.dumps(self.data_in))
        for e in self.entries:
            if e.path == "uscc" and self.uscc_locked:
                data["uscc"] = self.row.uscc
                continue
            _set(data, e.path, parse(self.cleaned_data.get(e.name, ""), e.field))
        return data
