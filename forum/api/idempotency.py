"""The Idempotency-Key header on API writes: request hooks, the commit stamp, the OpenAPI entries.

The rules live in forum.services.idempotency; this module connects them to a request:
- before the view: an authenticated POST/PUT/PATCH/DELETE under /api/ that carries the header
  claims the key (or is answered from it: a replay, 409 or 422);
- at the write's commit: a Session `before_commit` listener stamps the key `committed` in that
  same transaction (so a worker killed right after the commit leaves a key that says so);
- after the view: the response of a committed write is stored; a key whose request committed
  nothing is released. Anonymous callers' headers are ignored (keys are kept per user; the
  anonymous writes, sign-up, log-in and reset, create nothing twice)."""
from __future__ import annotations

import copy
import hashlib
import logging
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, has_app_context, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError

from forum.api.auth import UNSAFE
from forum.extensions import db
from forum.services import idempotency
from forum.services.idempotency import HEADER, Claim, Replay

log = logging.getLogger("forum.idempotency")
G_KEY = "forum_idempotency"
# Routes that take more than MAX_CONTENT_LENGTH set their own limit inside the view; the body
# is read here first, so the same limit applies here.
UPLOAD_LIMITS = {"api_consultations.add_photos": "CONSULTATION_MAX_CONTENT_LENGTH",
                 "api_reviews.add_photo": "CONSULTATION_MAX_CONTENT_LENGTH",
                 "api_questions.add_photo": "CONSULTATION_MAX_CONTENT_LENGTH"}


@dataclass
class _State:
    claim: Claim
    phase: str = "armed"  # armed -> stamped (before_commit) -> committed (after_commit)


def init_idempotency(app: Flask) -> None:
    """Register the hooks (after api_guard, which authenticates the caller) and the listeners."""
    app.before_request(claim_key)
    app.after_request(keep_response)
    app.teardown_request(_forget)
    for name, listener in (("before_commit", _stamp), ("after_commit", _committed), ("after_rollback", _rolled_back)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def claim_key():
    """Claim the request's key, or answer from it (replay, 409 in progress, 422 another request)."""
    g.pop(G_KEY, None)
    raw = request.headers.get(HEADER)
    if raw is None or request.method not in UNSAFE or not request.path.startswith("/api/") \
            or request.routing_exception is not None or not current_user.is_authenticated:
        return None
    key = idempotency.check_key(raw)
    outcome = idempotency.begin(current_user.id, key, fingerprint=_fingerprint(), method=request.method,
                                path=request.path[:500])
    if isinstance(outcome, Replay):
        response = Response(outcome.body, status=outcome.status, headers=outcome.headers)
        response.headers["Idempotent-Replayed"] = "true"
        return response
    setattr(g, G_KEY, _State(outcome))
    return None


def keep_response(response: Response) -> Response:
    """Store the response of a committed write; release the key of a request that wrote nothing.
    A 5xx after the commit stays `committed`: a retry is told it was done, never repeats it."""
    state = g.pop(G_KEY, None)
    if state is None:
        return response
    try:
        if state.phase == "committed":
            if response.status_code < 500 and not response.direct_passthrough:
                idempotency.store_response(state.claim, status=response.status_code, body=response.get_data(),
                                           headers=dict(response.headers))
        elif state.phase != "lost":
            idempotency.release(state.claim)
    except SQLAlchemyError as exc:  # the client still gets its answer; a retry is refused or runs afresh
        db.session.rollback()
        log.warning("idempotency key %s not updated: %s", state.claim.id, type(exc).__name__)
    return response


def _forget(_error=None) -> None:
    g.pop(G_KEY, None)


def _fingerprint() -> str:
    if request.endpoint in UPLOAD_LIMITS:
        request.max_content_length = current_app.config[UPLOAD_LIMITS[request.endpoint]]
    if request.is_json:
        data = request.get_json(silent=True)
        body = idempotency.canonical_json(data) if data is not None else request.get_data(cache=True)
    elif request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        files = []
        for name, upload in request.files.items(multi=True):  # a part may come with no name (None)
            files.append([name or "", upload.filename or "", hashlib.sha256(upload.read()).hexdigest()])
            upload.seek(0)  # the view reads it again
        form = sorted([name or "", value] for name, value in request.form.items(multi=True))
        body = idempotency.canonical_json({"form": form, "files": sorted(files)})
    else:
        body = request.get_data(cache=True)
    return idempotency.fingerprint(request.method, request.path, list(request.args.items(multi=True)), body)


def _state() -> _State | None:
    return g.get(G_KEY) if has_app_context() else None


def _stamp(session) -> None:
    """before_commit: the request's first commit is its write; stamp the key in that transaction."""
    state = _state()
    if state is None or state.phase != "armed":
        return
    try:
        idempotency.mark_committed(session, state.claim)
    except Exception:
        state.phase = "lost"  # another request holds the key now: this write must not commit
        raise
    state.phase = "stamped"


def _committed(_session) -> None:
    state = _state()
    if state is not None and state.phase == "stamped":
        state.phase = "committed"


def _rolled_back(_session) -> None:
    state = _state()
    if state is not None and state.phase == "stamped":
        state.phase = "armed"  # the commit failed: the stamp went with it


def document(spec) -> None:
    """Add the header parameter and the 409/422 answers to every write operation of the spec."""
    spec.components.parameter("IdempotencyKey", "header", {
        "name": HEADER, "required": False,
        "description": "Optional. Send a new unique value (e.g. a UUID) with each write, and the same value when "
                       "retrying it: for 24 hours a retry with the same key and body gets the first response again "
                       "(with `Idempotent-Replayed: true`) and changes nothing. The same key with another request "
                       "gets 422; while the first request runs, 409. Keys are kept per user; anonymous callers' "
                       "keys are ignored.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"}})
    error = copy.deepcopy(spec.components.responses.get("DEFAULT_ERROR", {}).get("content")) \
        or {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    spec.components.response("IDEMPOTENCY_CONFLICT", {
        "description": "Conflict: a request with this Idempotency-Key is in progress, was already carried out "
                       "without a stored response, or the action conflicts with the current state.",
        "content": error})
    for operations in spec._paths.values():
        for method, operation in operations.items():
            if method.upper() not in UNSAFE:
                continue
            operation.setdefault("parameters", []).append({"$ref": "#/components/parameters/IdempotencyKey"})
            responses = operation.setdefault("responses", {})
            responses.setdefault("409", {"$ref": "#/components/responses/IDEMPOTENCY_CONFLICT"})
            responses.setdefault("422", {"$ref": "#/components/responses/UNPROCESSABLE_ENTITY"})
