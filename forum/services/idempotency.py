"""Idempotency keys for API writes: claim a key, stamp it inside the write's own transaction,
store the response, replay it to retries, purge expired keys.

The life of a key (per user):
1. `begin` claims it in a short transaction of its own (status in_progress, a random claim
   token). A second request with the key while the first runs gets 409; one that finds a
   finished key gets the stored response back (`Replay`), or 422 when its request differs.
2. `mark_committed` runs inside the write's transaction, just before its commit: the key turns
   `committed` together with the rows the write adds, or not at all. A worker killed after
   that commit leaves a key that says so, and the retry is refused instead of repeated.
3. `store_response` keeps the response (status done) once it is built; `release` frees the key
   when the request ended without committing anything, so a retry runs afresh.
An in_progress key whose holder has not committed within IDEMPOTENCY_LOCK_SECONDS (the holder
was killed before its commit) may be claimed again; the stale holder's stamp then matches no
row and its commit is refused, so two writes never commit under one key."""
from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forum import clock, crypto
from forum.errors import Conflict, DomainError, Invalid
from forum.extensions import db
from forum.i18n import _
from forum.models.idempotency import IdempotencyKey, IdempotencyStatus

S = IdempotencyStatus
HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")
REPLAYED_HEADERS = ("Content-Type", "Location")
_NO_SYNC = {"synchronize_session": False}


class BadKey(DomainError):
    status = 400
    code = "bad_request"


@dataclass(frozen=True)
class Claim:
    """The key a running request holds: its row id and the claim token only it knows."""
    id: int
    token: str


@dataclass(frozen=True)
class Replay:
    """A stored response to send again."""
    status: int
    body: bytes
    headers: dict


def check_key(raw: str) -> str:
    """A key is 1 to 255 printable ASCII characters without spaces (a UUID is a good choice)."""
    if not KEY_PATTERN.fullmatch(raw):
        message = ("The Idempotency-Key header must be 1 to 255 printable ASCII characters without spaces "
                   "(for example a UUID).")
        raise BadKey(message, fields={HEADER: [message]})
    return raw


def fingerprint(method: str, path: str, query: list[tuple[str, str]], body: bytes) -> str:
    """SHA-256 of the request as the server understood it: method, path, sorted query, canonical body."""
    head = json.dumps([method.upper(), path, sorted(query)], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(head.encode("utf-8") + b"\n" + body).hexdigest()


def canonical_json(value) -> bytes:
    """The same JSON document in one spelling: sorted keys, no spaces."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def begin(user_id: int, key: str, *, fingerprint: str, method: str, path: str) -> Claim | Replay:
    """Claim `key` for this request, or answer from what an earlier request with it left.
    Commits its own short transaction. Raises Invalid (422) when the key was used for another
    request, Conflict (409) while another request holds it or when its response was lost."""
    row = _find(user_id, key)
    now = clock.now()
    if row is not None and row.created_at <= now - ttl():  # an expired key is a new key
        db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == row.id,
                                                        IdempotencyKey.created_at <= now - ttl()),
                           execution_options=_NO_SYNC)
        db.session.commit()
        db.session.expunge(row)  # SQLite may give the new row the same id
        row = None
    if row is None:
        return _claim_new(user_id, key, fingerprint=fingerprint, method=method, path=path)
    if row.status == S.IN_PROGRESS:
        if row.locked_at > now - timedelta(seconds=current_app.config["IDEMPOTENCY_LOCK_SECONDS"]):
            raise _in_progress()
        return _reclaim(row, fingerprint=fingerprint, method=method, path=path)  # its holder never committed
    if row.fingerprint != fingerprint:
        raise _reused(row)
    if row.status == S.DONE:
        return _replay(row)
    raise _lost()


def mark_committed(session: Session, claim: Claim) -> None:
    """Stamp the key `committed` in the caller's transaction, right before it commits, so the key
    and the write are saved together or not at all. Raises Conflict when this request no longer
    holds the key (it was reclaimed as abandoned): the write must then not commit."""
    result = session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.id == claim.id, IdempotencyKey.claim == claim.token,
               IdempotencyKey.status == S.IN_PROGRESS)
        .values(status=S.COMMITTED), execution_options=_NO_SYNC)
    if result.rowcount != 1:
        raise _in_progress()


def store_response(claim: Claim, *, status: int, body: bytes, headers: dict) -> None:
    """Keep the response of a committed write for replay (body encrypted at rest)."""
    kept = {name: headers[name] for name in REPLAYED_HEADERS if headers.get(name)}
    db.session.rollback()  # whatever the response phase left open
    db.session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.id == claim.id, IdempotencyKey.claim == claim.token,
               IdempotencyKey.status == S.COMMITTED)
        .values(status=S.DONE, response_status=status, response_headers=kept,
                response_body=crypto.encrypt_bytes(body).decode("ascii")), execution_options=_NO_SYNC)
    db.session.commit()


def release(claim: Claim) -> None:
    """Free a key whose request committed nothing (refused input, an error): a retry runs afresh."""
    db.session.rollback()
    db.session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.id == claim.id, IdempotencyKey.claim == claim.token, IdempotencyKey.status == S.IN_PROGRESS),
        execution_options=_NO_SYNC)
    db.session.commit()


def purge_expired() -> int:
    """Delete keys older than IDEMPOTENCY_TTL_HOURS (a periodic job); returns how many went."""
    result = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at <= clock.now() - ttl()),
                                execution_options=_NO_SYNC)
    db.session.commit()
    return result.rowcount or 0


def ttl() -> timedelta:
    return timedelta(hours=float(current_app.config["IDEMPOTENCY_TTL_HOURS"]))


def _find(user_id: int, key: str) -> IdempotencyKey | None:
    return db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                          IdempotencyKey.key == key))


def _claim_new(user_id: int, key: str, **request) -> Claim:
    token = secrets.token_hex(16)
    row = IdempotencyKey(user_id=user_id, key=key, claim=token, status=S.IN_PROGRESS, **request)
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:  # another request with this key claimed it a moment ago
        db.session.rollback()
        raise _in_progress() from None
    return Claim(row.id, token)


def _reclaim(row: IdempotencyKey, **request) -> Claim:
    """Take over a key whose holder died before committing; only one of several retries wins."""
    token, stale = secrets.token_hex(16), row.claim
    result = db.session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.id == row.id, IdempotencyKey.claim == stale, IdempotencyKey.status == S.IN_PROGRESS)
        .values(claim=token, locked_at=clock.now(), created_at=clock.now(), **request), execution_options=_NO_SYNC)
    db.session.commit()
    if result.rowcount != 1:
        raise _in_progress()
    return Claim(row.id, token)


def _replay(row: IdempotencyKey) -> Replay:
    try:
        body = crypto.decrypt_bytes(row.response_body.encode("ascii")) if row.response_body else b""
    except ValueError:  # stored under a key since retired from CONSULTATION_KEYS
        raise _lost() from None
    return Replay(row.response_status or 200, body, dict(row.response_headers or {}))


def _lost() -> Conflict:
    return Conflict(_("The request sent earlier with this Idempotency-Key was carried out, but its response "
                      "was lost. It will not be repeated: look up the result instead."),
                    fields={HEADER: [_("Already carried out; the response was not recorded.")]})


def _reused(row: IdempotencyKey) -> Invalid:
    message = _("This Idempotency-Key was already used for a different request (%(request)s with another body). "
                "Send a new key with a new request.", request=f"{row.method} {row.path}")
    return Invalid(message, fields={HEADER: [_("Already used for a different request.")]})


def _in_progress() -> Conflict:
    return Conflict(_("A request with this Idempotency-Key is still being processed. Retry in a few seconds."),
                    fields={HEADER: [_("In progress.")]})
