"""Personal data at rest: AES-GCM encryption plus a keyed blind index for exact lookups.

Two separate keys (each the SHA-256 of its setting's text):

- FENGQIAO_DATA_KEY encrypts the columns (`EncryptedTextField`: phones, ID numbers, tracking
  codes, secrets). Unset (development only), it is derived from SECRET_KEY as
  SHA-256("fengqiao-data:" + SECRET_KEY).
- FENGQIAO_BLIND_INDEX_KEY keys the HMAC-SHA256 blind index (`phone_index` columns, the per-phone
  and per-address counters), so equal phones can be found without decrypting every row and
  without the index revealing anything to whoever holds only the encryption key, or the other
  way round. Unset (development only), it is derived from the data key's text with another label:
  SHA-256("fengqiao-blind-index:" + (FENGQIAO_DATA_KEY or SECRET_KEY)).

A production system check (`config/checks.py`) refuses to run with either key unset or the two
equal. To change keys, set the new ones, put the old data key in FENGQIAO_DATA_KEY_OLD (reads
fall back to it meanwhile) and run `fengqiao rotate_keys`: it re-encrypts every encrypted column
and recomputes every blind index, in batches, resumably.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models

_PREFIX = "enc1:"


@functools.lru_cache(maxsize=16)
def _digest(material: str) -> bytes:
    return hashlib.sha256(material.encode()).digest()


def data_key(material: str | None = None) -> bytes:
    """The encryption key from its text (default: the FENGQIAO_DATA_KEY setting)."""
    material = settings.FENGQIAO_DATA_KEY if material is None else material
    return _digest(material or ("fengqiao-data:" + settings.SECRET_KEY))


def index_key(material: str | None = None) -> bytes:
    """The blind-index key from its text (default: the FENGQIAO_BLIND_INDEX_KEY setting)."""
    material = getattr(settings, "FENGQIAO_BLIND_INDEX_KEY", "") if material is None else material
    if material:
        return _digest(material)
    return _digest("fengqiao-blind-index:" + (settings.FENGQIAO_DATA_KEY or settings.SECRET_KEY))


def _old_data_key() -> bytes | None:
    material = getattr(settings, "FENGQIAO_DATA_KEY_OLD", "")
    return _digest(material) if material else None


def encrypt(plain: str, *, key: bytes | None = None) -> str:
    if plain == "":
        return ""
    nonce = os.urandom(12)
    sealed = AESGCM(key or data_key()).encrypt(nonce, plain.encode(), None)
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str, *, key: bytes | None = None) -> str:
    """The plain text of `token`. With no `key`: the current data key, then (while keys are being
    rotated) FENGQIAO_DATA_KEY_OLD. Raises `InvalidTag` when no key opens it."""
    if not token:
        return ""
    if not token.startswith(_PREFIX):
        raise ValueError("value is not an encrypted token")
    raw = base64.urlsafe_b64decode(token[len(_PREFIX) :])
    if key is not None:
        return AESGCM(key).decrypt(raw[:12], raw[12:], None).decode()
    try:
        return AESGCM(data_key()).decrypt(raw[:12], raw[12:], None).decode()
    except InvalidTag:
        old = _old_data_key()
        if old is None:
            raise
        return AESGCM(old).decrypt(raw[:12], raw[12:], None).decode()


def blind_index(value: str, *, key: bytes | None = None) -> str:
    """A stable keyed digest so equal phones can be found without decrypting every row."""
    if not value:
        return ""
    return hmac.new(key or index_key(), value.strip().encode(), hashlib.sha256).hexdigest()[:32]


def encrypted_columns() -> list[tuple[type[models.Model], list[str], dict[str, str]]]:
    """Every model with encrypted columns: (model, its encrypted field names, {field: the sibling
    `<field>_index` blind-index column, where there is one})."""
    from django.apps import apps

    out = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if not names:
            continue
        have = {f.name for f in model._meta.concrete_fields}
        out.append((model, names, {n: f"{n}_index" for n in names if f"{n}_index" in have}))
    return out


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; Python code sees the plain value."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return value
        return encrypt(str(value))
