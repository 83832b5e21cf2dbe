"""Enterprise facts: the interchange standard as a Django-free library.

``schema`` declares every field once; ``validate`` checks and normalises a record and explodes it
into rows per section; ``readers`` and ``writers`` move records through JSON Lines, CSV and Excel
with the Chinese headers government users fill in; ``jsonschema`` publishes the standard.
"""

from .errors import Code, EmptyFileError, FactsFileError, FieldError, HeaderError
from .readers import GroupedRecord, RawRow, group_rows, iter_csv, iter_jsonl, iter_xlsx
from .schema import SCHEMA_VERSION, SECTIONS, Field, Section
from .validate import Result, assemble, explode, validate_record
from .writers import csv_template, write_csv, write_jsonl, write_xlsx, xlsx_template

__all__ = [
    "SCHEMA_VERSION", "SECTIONS", "Field", "Section",
    "Code", "FieldError", "FactsFileError", "EmptyFileError", "HeaderError",
    "Result", "validate_record", "explode", "assemble",
    "RawRow", "GroupedRecord", "iter_jsonl", "iter_csv", "iter_xlsx", "group_rows",
    "write_jsonl", "write_csv", "write_xlsx", "xlsx_template", "csv_template",
]
