"""The committed OpenAPI schema is what the code generates: regenerate it with
``kechuang spectacular --file docs/openapi.yaml --validate`` and commit."""

from pathlib import Path

from django.core.management import call_command

SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"


def test_committed_openapi_schema_is_current(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--validate", "--fail-on-warn")
    assert generated.read_text(encoding="utf-8") == SCHEMA.read_text(encoding="utf-8"), (
        "docs/openapi.yaml is stale: run `kechuang spectacular --file docs/openapi.yaml --validate`")
