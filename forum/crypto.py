"""Field-level encryption for health data (consultations): Fernet (AES-128-CBC + HMAC-SHA256).

The key comes from the configuration: FORUM_CONSULTATION_KEYS, a comma-separated list of
Fernet keys, newest first (older keys still decrypt, so keys can be rotated). Without it the
key is derived from SECRET_KEY with HKDF, which is fine for development; production sets its own."""
from __future__ import annotations

import base64
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def _fernet() -> MultiFernet:
    cached = current_app.extensions.get("forum_fernet")
    if cached is None:
        keys = current_app.config.get("CONSULTATION_KEYS")
        if isinstance(keys, str):
            keys = [k.strip() for k in keys.split(",") if k.strip()]
        if not keys:
            derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"forum-consultations",
                           info=b"consultation field encryption").derive(current_app.config["SECRET_KEY"].encode())
            keys = [base64.urlsafe_b64encode(derived).decode()]
        cached = MultiFernet([Fernet(k) for k in keys])
        current_app.extensions["forum_fernet"] = cached
    return cached


def encrypt_bytes(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(token)
    except InvalidToken:
        raise ValueError("cannot decrypt: wrong key or damaged data") from None


def encrypt_json(value) -> str:
    return encrypt_bytes(json.dumps(value, ensure_ascii=False).encode("utf-8")).decode("ascii")


def decrypt_json(token: str):
    return json.loads(decrypt_bytes(token.encode("ascii")))
