"""Password policy (ASVS 6.2): length 12-128, no composition rules, common passwords refused."""
from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from forum.i18n import _

MIN_LENGTH = 12
MAX_LENGTH = 128
_LIST = Path(__file__).parent / "data" / "common-passwords.txt.gz"
# Hashing a throwaway password when an account does not exist keeps log-in time the same.
_DUMMY_HASH = generate_password_hash("not-a-real-password-at-all", method="scrypt")


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    with gzip.open(_LIST, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """Why `password` is refused, or None. The password is checked exactly as typed."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(num)s characters.", num=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(num)s characters.", num=MAX_LENGTH)
    lowered = password.lower()
    core = re.sub(r"^[\d\W_]+|[\d\W_]+$", "", lowered)
    if lowered in _common() or (core and core in _common()) or len(set(password)) < 4:
        return _("This password is too common or too easy to guess; choose another.")
    if email and lowered == email.lower():
        return _("Do not use your e-mail address as your password.")
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-work check; with no hash a dummy one is checked so timing does not leak."""
    if not password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(password_hash, password)
