"""Out-of-range ids are JSON 404s in URLs and 422s in bodies, never 500 (issue #12, finding 3)."""
import pytest

from tests.api.helpers import error_of
from tests.factories import make_doctor, make_moderator, make_user

OUT_OF_RANGE = ["2147483648", "9223372036854775808", "99999999999999999999", "0"]
READS = ["/api/v1/questions/{}", "/api/v1/doctors/{}"]
WRITES = [("post", "/api/v1/questions/{}/answers"), ("put", "/api/v1/answers/{}"),
          ("post", "/api/v1/answers/{}/helpful"), ("post", "/api/v1/questions/{}/follow"),
          ("delete", "/api/v1/questions/{}/follow"), ("delete", "/api/v1/tokens/{}")]


@pytest.mark.parametrize("id_", OUT_OF_RANGE)
@pytest.mark.parametrize("path", READS)
def test_reading_an_out_of_range_id_is_a_json_404(client, bearer, path, id_):
    error_of(client.get(path.format(id_)), 404, "not_found")
    error_of(client.get(path.format(id_), headers=bearer(make_user())), 404, "not_found")


@pytest.mark.parametrize("id_", OUT_OF_RANGE)
@pytest.mark.parametrize(("method", "path"), WRITES)
def test_writing_to_an_out_of_range_id_is_a_json_404(client, bearer, method, path, id_):
    response = getattr(client, method)(path.format(id_), json={"body": "x" * 40}, headers=bearer(make_doctor()))
    error_of(response, 404, "not_found")


@pytest.mark.parametrize("path", ["/api/v1/mod/doctor-applications/{}", "/api/v1/mod/users/{}/suspend"])
def test_moderation_routes_with_an_out_of_range_id_are_json_404(client, bearer, path):
    headers = bearer(make_moderator())
    method = client.get if path.endswith("}") else client.post
    error_of(method(path.format("2147483648"), json={"reason": "testing"}, headers=headers), 404)


def test_the_openapi_document_bounds_path_ids(client):
    spec = client.get("/api/v1/openapi.json").json
    (param,) = spec["paths"]["/api/v1/questions/{question_id}"]["parameters"]
    assert param["schema"] == {"type": "integer", "minimum": 1, "maximum": 2147483647}


@pytest.mark.parametrize("bad", [2147483648, 2**63, 0, -1])
def test_an_out_of_range_id_in_a_json_body_is_422_with_a_clear_message(client, bearer, bad):
    body = {"doctor_id": bad, "concern": "Enlarged pores on the nose", "description": "x" * 40}
    error = error_of(client.post("/api/v1/consultations", json=body, headers=bearer(make_user())), 422)
    assert error["fields"]["doctor_id"] == ["Must be an id: a whole number from 1 to 2147483647."]


def test_an_out_of_range_id_in_a_list_is_422(client, bearer):
    asker = make_user()
    response = client.post("/api/v1/questions/1/invitations", json={"doctor_ids": [2**40]}, headers=bearer(asker))
    error = error_of(response, 422)
    assert "doctor_ids" in error["fields"]


def test_an_out_of_range_id_in_a_query_string_is_422(client, bearer):
    response = client.get("/api/v1/mod/log?actor_id=99999999999999999999", headers=bearer(make_moderator()))
    error = error_of(response, 422)
    assert "actor_id" in error["fields"]


def test_flagging_an_out_of_range_target_is_a_404(client, bearer):
    body = {"target_type": "question", "target_id": "9" * 40, "reason": "spam"}
    error_of(client.post("/api/v1/flags", json=body, headers=bearer(make_user())), 404)


def test_moderating_an_out_of_range_target_is_a_404(client, bearer):
    path = "/api/v1/mod/content/question/" + "9" * 30 + "/hide"
    error_of(client.post(path, json={"reason": "testing"}, headers=bearer(make_moderator())), 404)
