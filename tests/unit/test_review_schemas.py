"""ReviewIn, the one schema of a review: JSON from the API and the HTML form load the same way."""
from __future__ import annotations

from datetime import date

import pytest
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from forum.schemas.reviews import ReviewEditIn, ReviewIn
from forum.web.forms import load_form

BODY = "The peel stung for a few minutes, the redness faded in two days and my skin looks smoother."
FORM = {"treatment": "chemical-peel", "rating": "4", "worth_it": "not_sure", "treated_on": "2026-03",
        "cost_amount": "", "cost_currency": "USD", "city": "", "body": BODY}


def test_a_form_loads_as_typed_values_with_empty_optional_fields_as_none():
    data, errors = load_form(ReviewIn(), source=MultiDict({**FORM, "photo_consent": "1", "csrf_token": "x"}))
    assert errors == {}
    assert (data["rating"], data["treated_on"], data["photo_consent"]) == (4, date(2026, 3, 1), True)
    assert data["cost_amount"] is None and data["city"] is None


def test_a_form_without_a_rating_or_month_says_so_at_the_field():
    _data, errors = load_form(ReviewIn(), source=MultiDict({**FORM, "rating": "", "treated_on": "03/2026"}))
    assert set(errors) == {"rating", "treated_on"}


@pytest.mark.parametrize("given, loaded", [("2026-03", date(2026, 3, 1)), ("2025-11-23", date(2025, 11, 23))])
def test_the_month_is_a_month_or_a_date(given, loaded):
    assert ReviewIn().load({**FORM, "cost_amount": None, "city": None, "treated_on": given})["treated_on"] == loaded


@pytest.mark.parametrize("given", ["2026-13", "2026-02-30", "2026-3", "March 2026", 202603])
def test_anything_else_is_not_a_month(given):
    with pytest.raises(ValidationError) as refused:
        ReviewIn().load({**FORM, "cost_amount": None, "city": None, "treated_on": given})
    assert set(refused.value.messages) == {"treated_on"}


def test_an_amount_needs_its_currency_but_an_edit_may_send_the_amount_alone():
    with pytest.raises(ValidationError) as refused:
        ReviewIn().load({**FORM, "cost_amount": 300, "cost_currency": None, "city": None})
    assert set(refused.value.messages) == {"cost_currency"}
    assert ReviewEditIn().load({"cost_amount": 300}) == {"cost_amount": 300}
