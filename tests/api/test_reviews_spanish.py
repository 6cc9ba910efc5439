"""The review API answers a Spanish reader in Spanish (#16). Needs the compiled es catalog."""
from __future__ import annotations

import pytest

from tests.factories import make_doctor, make_reviewer, make_treatment

ES = {"Accept-Language": "es"}


@pytest.fixture
def world(app):
    make_treatment()
    return make_doctor(full_name="Dr. Ada Peel").doctor_profile


def test_the_api_refuses_a_review_in_the_readers_language(client, world, bearer):
    data = {"treatment": "chemical-peel", "rating": 9, "worth_it": "yes", "treated_on": "2026-03",
            "cost_amount": 2_000_000, "cost_currency": "USD", "body": "x" * 60}
    headers = {**bearer(make_reviewer()), **ES}
    response = client.post(f"/api/v1/doctors/{world.id}/reviews", json=data, headers=headers)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    fields = response.get_json()["error"]["fields"]
    assert fields["rating"] == ["Elija una calificación de 1 a 5 estrellas."]
    assert fields["cost_amount"] == ["Escriba el monto como un número entero de 1 a 1.000.000."]
