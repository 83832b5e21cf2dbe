"""The committed OpenAPI schema is what the code generates against PostgreSQL, the production
database: regenerate it with
``DATABASE_URL=postgres://… kechuang spectacular --file docs/openapi.yaml --validate`` and commit.
(Integer fields' documented bounds come from the database's column ranges — a smallint column
takes at most 32767 on PostgreSQL, while SQLite has one 64-bit range — so the comparison runs on
PostgreSQL only.)"""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="postgresql only: the schema states PostgreSQL's integer column ranges")
def test_committed_openapi_schema_is_current(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--validate", "--fail-on-warn")
    assert generated.read_text(encoding="utf-8") == SCHEMA.read_text(encoding="utf-8"), (
        "docs/openapi.yaml is stale: run `DATABASE_URL=postgres://… kechuang spectacular "
        "--file docs/openapi.yaml --validate`")
