"""The treatment page's box of what patients reported paying: only from 5 reports, labelled as
the patients' own figures, beside the editorial cost, and current for visitors served from the cache."""
import re

from forum.extensions import db
from forum.models import ReviewStatus, WorthIt
from tests.factories import make_doctor
from tests.review_rows import add_reviews, make_costed_treatment

BOX = 'data-testid="patient-costs"'


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def words(html: str) -> str:
    """What a reader sees: tags dropped."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_the_box_appears_with_the_fifth_report_beside_the_editorial_cost(client):
    peel, doctor = make_costed_treatment(cost_min=150, cost_max=400), make_doctor()
    add_reviews(peel, [200, 250, 300, 900], city="Springfield", doctor=doctor)
    page = text_of(client.get("/treatments/chemical-peel"))
    assert BOX not in page and "reported paying" not in page
    assert "USD 150–400" in page  # the editorial cost is there either way

    add_reviews(peel, [275], city="springfield", doctor=doctor)  # a visitor's cached copy must not hide it
    page = text_of(client.get("/treatments/chemical-peel"))
    assert BOX in page
    box = words(page.split(BOX)[1].split("</aside>")[0])
    assert "What patients here reported paying" in box
    assert "not checked by the site" in box and "remains our guide" in box
    assert "Reported by 5 patients paying in USD: median USD 275, from USD 200 to USD 900" in box
    assert "Springfield: median USD 275, from USD 200 to USD 900 (5 reports)" in box
    assert "100% of 5 patients who reviewed Chemical peel here said it was worth it" in box
    assert page.index("USD 150–400") < page.index(BOX)  # the editorial cost stays, first


def test_hiding_a_review_takes_the_box_away_again(client):
    peel = make_costed_treatment()
    reviews = add_reviews(peel, [100, 200, 300, 400, 500], worth_it=WorthIt.NO)
    assert "0% of 5 patients" in words(text_of(client.get("/treatments/chemical-peel")))
    reviews[0].status = ReviewStatus.HIDDEN
    db.session.commit()
    assert BOX not in text_of(client.get("/treatments/chemical-peel"))


def test_worth_it_alone_is_shown_without_a_cost_heading(client):
    peel = make_costed_treatment()
    add_reviews(peel, [None, None, None, None, None], worth_it=WorthIt.NO)
    add_reviews(peel, [300, 300, 300, 300], currency="EUR", worth_it=WorthIt.YES)
    page = text_of(client.get("/treatments/chemical-peel"))
    box = words(page.split(BOX)[1].split("</aside>")[0])
    assert "What patients here reported" in box and "reported paying" not in page
    assert "44% of 9 patients" in box and "EUR" not in box  # four euro reports are too few
