import pytest


@pytest.fixture(autouse=True)
def audit_key_files(tmp_path, settings):
    """Each test its own signing key and published-checkpoint file, outside the database."""
    settings.KECHUANG_AUDIT_KEY = str(tmp_path / "audit" / "checkpoint-ed25519.pem")
    settings.KECHUANG_AUDIT_PUBLIC_KEY = str(tmp_path / "audit" / "checkpoint-ed25519.pem.pub")
    settings.KECHUANG_AUDIT_CHECKPOINTS = str(tmp_path / "audit" / "checkpoints.jsonl")
    return tmp_path / "audit"
