"""Assertions shared by the API tests."""
from __future__ import annotations


def error_of(response, status: int, code: str | None = None) -> dict:
    """Assert the JSON error envelope with `status` (and `code`); return its body."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields", "request_id"}
    assert body["error"]["request_id"] == response.headers["X-Request-ID"]  # quoted to support, found in the logs
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


def same_answer(first, second) -> bool:
    """Two error responses say exactly the same thing (each has its own request id)."""
    def body(response):
        data = response.get_json()
        if isinstance(data, dict) and isinstance(data.get("error"), dict):
            data["error"].pop("request_id", None)
        return data
    return first.status_code == second.status_code and body(first) == body(second)
