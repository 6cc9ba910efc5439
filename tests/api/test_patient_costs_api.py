"""The API's treatment output carries what patients reported paying, null until 5 reports."""
from tests.review_rows import add_reviews, make_costed_treatment


def test_patient_costs_are_null_under_five_reports_then_given_per_currency_and_city(client):
    peel = make_costed_treatment()
    add_reviews(peel, [100, 200, 300, 400], city="Leeds", currency="GBP")
    body = client.get("/api/v1/treatments/chemical-peel").json
    assert body["patient_costs"] is None and body["cost_min"] == 100  # the editorial cost as before
    add_reviews(peel, [500], city="leeds ", currency="GBP")
    costs = client.get("/api/v1/treatments/chemical-peel").json["patient_costs"]
    assert costs == {"reviews": 5, "worth_it_share": 1.0, "currencies": [
        {"currency": "GBP", "count": 5, "median": 300, "low": 100, "high": 500,
         "cities": [{"city": "Leeds", "count": 5, "median": 300, "low": 100, "high": 500}]}]}


def test_the_document_describes_the_field_as_reported_by_patients(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/treatments/{slug}"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    field = spec["components"]["schemas"][ref]["properties"]["patient_costs"]
    assert "not checked by the site" in field["description"]
