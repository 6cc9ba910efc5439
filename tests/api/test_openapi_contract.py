"""The OpenAPI document matches what the API sends: error shape, error codes, timestamps (#12, item 9)."""
from datetime import datetime

from tests.factories import make_user, mint_token


def test_timestamps_are_iso_8601_with_an_offset(client, bearer):
    user = make_user()
    mint_token(user, name="laptop")
    for item in client.get("/api/v1/tokens", headers=bearer(user)).json:
        stamp = datetime.fromisoformat(item["created_at"])
        assert stamp.utcoffset() is not None and item["created_at"].endswith("+00:00")


def test_the_documented_error_is_the_one_sent(client):
    spec = client.get("/api/v1/openapi.json").json
    body = spec["components"]["schemas"]["ErrorBody"]
    assert spec["components"]["schemas"]["Error"]["properties"] == {"error": {"$ref": "#/components/schemas/ErrorBody"}}
    sent = client.get("/api/v1/questions/2147483648").json
    assert set(sent["error"]) == set(body["properties"]) == set(body["required"])


def test_every_operation_documents_rate_limits_and_its_errors(client):
    spec = client.get("/api/v1/openapi.json").json
    limited = spec["components"]["responses"]["RATE_LIMITED"]
    assert limited["headers"]["Retry-After"]["required"] is True
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            codes = set(operation["responses"])
            assert {"429", "503"} <= codes, (method, path)
            if operation.get("security"):
                assert {"401", "403"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)


def test_an_unknown_query_parameter_is_refused_as_documented(client):
    """The document says additionalProperties: false for query arguments; webargs would ignore them."""
    response = client.get("/api/v1/questions?sort=newest&colour=blue")
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"colour": ["Unknown field."]}
