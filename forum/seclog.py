"""Security events as one-line JSON (UTC time, user, IP, request id), CR/LF never raw."""
from __future__ import annotations

import json
import logging

from flask import g, has_request_context, request

from forum import clock

log = logging.getLogger("forum.security")


def security_event(event: str, *, user_id: int | None = None, **fields) -> None:
    """Log one security event. Values are JSON-encoded, so a newline in input stays escaped."""
    record = {"ts": clock.now().isoformat() + "Z", "event": event, "user_id": user_id}
    if has_request_context():
        record.update(ip=request.remote_addr, request_id=getattr(g, "request_id", None),
                      path=request.path)
    record.update(fields)
    log.info(json.dumps(record, default=str, ensure_ascii=True))
