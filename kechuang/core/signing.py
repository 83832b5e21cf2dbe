"""The checkpoint signing key: Ed25519, held in files outside the database.

The private key (PEM, mode 0600) signs tree heads; only the sealer needs it. The public key (raw,
hex, beside it with ``.pub``) is all ``kechuang audit verify`` needs, and can be copied to whoever
should check the log independently. Paths come from settings or the environment:

- ``KECHUANG_AUDIT_KEY``: the private key file (default ``<VAR_DIR>/audit/checkpoint-ed25519.pem``);
- ``KECHUANG_AUDIT_PUBLIC_KEY``: the public key file (default the private key's path + ``.pub``);
- ``KECHUANG_AUDIT_CHECKPOINTS``: the append-only JSON-lines file checkpoints are published to
  (default ``<VAR_DIR>/audit/checkpoints.jsonl``; empty string to publish nowhere).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


class SigningKeyError(Exception):
    """The signing key is missing, unreadable, or does not match the public key."""


def _setting(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value)


def private_key_path() -> Path:
    return Path(_setting("KECHUANG_AUDIT_KEY", str(Path(settings.VAR_DIR) / "audit" / "checkpoint-ed25519.pem")))


def public_key_path() -> Path:
    return Path(_setting("KECHUANG_AUDIT_PUBLIC_KEY", str(private_key_path()) + ".pub"))


def checkpoint_log_path() -> Path | None:
    value = _setting("KECHUANG_AUDIT_CHECKPOINTS", str(Path(settings.VAR_DIR) / "audit" / "checkpoints.jsonl"))
    return Path(value) if value else None


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def signing_key_generate(*, overwrite: bool = False) -> Path:
    """Write a new key pair (private key 0600, created atomically so it is never world-readable)."""
    priv_path, pub_path = private_key_path(), public_key_path()
    if priv_path.exists() and not overwrite:
        raise SigningKeyError(f"{priv_path} exists; refusing to replace a signing key")
    priv_path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    if overwrite and priv_path.exists():
        priv_path.unlink()
    fd = os.open(priv_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pub_path.write_text(raw.hex() + "\n")
    return priv_path


def signing_key_load() -> Ed25519PrivateKey:
    """The private key; generated on first use when neither key file exists yet (so a fresh
    installation seals without a manual step). A missing private key beside an existing public key
    is an error, never a silent new key."""
    priv_path, pub_path = private_key_path(), public_key_path()
    if not priv_path.exists():
        if pub_path.exists():
            raise SigningKeyError(f"signing key {priv_path} is missing but {pub_path} exists")
        signing_key_generate()
    try:
        key = serialization.load_pem_private_key(priv_path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise SigningKeyError(f"cannot read signing key {priv_path}: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{priv_path} is not an Ed25519 key")
    return key


def verify_key_load() -> Ed25519PublicKey | None:
    """The public key verify checks checkpoints with, or ``None`` when there is none yet."""
    path = public_key_path()
    if not path.exists():
        return None
    try:
        return Ed25519PublicKey.from_public_bytes(bytes.fromhex(path.read_text().strip()))
    except (OSError, ValueError) as exc:
        raise SigningKeyError(f"cannot read public key {path}: {exc}") from exc
