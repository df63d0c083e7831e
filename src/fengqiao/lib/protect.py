"""Personal data at rest: AES-GCM encryption plus a keyed blind index for exact lookups."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models

_PREFIX = "enc1:"


@functools.cache
def _key() -> bytes:
    material = settings.FENGQIAO_DATA_KEY or ("fengqiao-data:" + settings.SECRET_KEY)
    return hashlib.sha256(material.encode()).digest()


def encrypt(plain: str) -> str:
    if plain == "":
        return ""
    nonce = os.urandom(12)
    sealed = AESGCM(_key()).encrypt(nonce, plain.encode(), None)
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    if not token.startswith(_PREFIX):
        raise ValueError("value is not an encrypted token")
    raw = base64.urlsafe_b64decode(token[len(_PREFIX) :])
    return AESGCM(_key()).decrypt(raw[:12], raw[12:], None).decode()


def blind_index(value: str) -> str:
    """A stable keyed digest so equal phones can be found without decrypting every row."""
    if not value:
        return ""
    return hmac.new(_key(), value.strip().encode(), hashlib.sha256).hexdigest()[:32]


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
