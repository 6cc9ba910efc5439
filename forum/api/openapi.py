"""The OpenAPI document says what the API really answers: our error shape, and per operation
the errors it can produce (401/403 when it needs a login, 404 with a path id, 400/415/409 on
writes, 429 with Retry-After everywhere, since the per-IP limit covers every route, and 503)."""
from __future__ import annotations

from apispec import BasePlugin

WRITES = {"post", "put", "patch", "delete"}
RETRY_AFTER = {"description": "Seconds to wait before retrying", "schema": {"type": "integer", "minimum": 0}}
RATE_HEADERS = {
    "X-RateLimit-Limit": {"description": "Requests allowed in the current window", "schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"description": "Requests left in the current window", "schema": {"type": "integer"}},
    "X-RateLimit-Reset": {"description": "When the window resets (Unix time)", "schema": {"type": "integer"}},
}


def _error(description: str, headers: dict | None = None) -> dict:
    response = {"description": description,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    if headers:
        response["headers"] = headers
    return response


# flask-smorest registers a response per HTTP status (BAD_REQUEST, NOT_FOUND, ...) with the
# Api's ERROR_SCHEMA (ours); these two add the headers a client needs to back off.
COMPONENTS = {
    "RATE_LIMITED": _error("A rate limit was hit; retry after Retry-After seconds",
                           {"Retry-After": {**RETRY_AFTER, "required": True}, **RATE_HEADERS}),
    "DATABASE_UNAVAILABLE": _error("The database is briefly unreachable; retry after Retry-After seconds",
                                   {"Retry-After": {**RETRY_AFTER, "required": True}}),
}


class ErrorResponsesPlugin(BasePlugin):
    """Adds the error responses to every operation, as references to shared components."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            codes = {"429": "RATE_LIMITED", "503": "DATABASE_UNAVAILABLE"}
            if operation.get("security"):
                codes.update({"401": "UNAUTHORIZED", "403": "FORBIDDEN"})
            if "{" in (path or ""):
                codes["404"] = "NOT_FOUND"
            if method in WRITES:
                codes.update({"400": "BAD_REQUEST", "401": "UNAUTHORIZED", "403": "FORBIDDEN", "409": "CONFLICT",
                              "415": "UNSUPPORTED_MEDIA_TYPE", "422": "UNPROCESSABLE_ENTITY"})
            responses = operation.setdefault("responses", {})
            for code, name in codes.items():
                if code not in responses and int(code) not in responses:
                    responses[code] = name


def register_error_components(spec) -> None:
    for name, response in COMPONENTS.items():
        spec.components.response(name, response)


def path_segment_schema(_converter) -> dict:
    """A free-text path segment (slug, consultation or photo id). The bound gives clients, and
    schemathesis, a request that is invalid by the document: longer segments are 404s anyway."""
    return {"type": "string", "minLength": 1, "maxLength": 200}
