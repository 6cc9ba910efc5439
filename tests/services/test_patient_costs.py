"""What patients paid: figures from published reviews, shown only once 5 people reported them."""
from forum.extensions import db
from forum.models import ReviewStatus, WorthIt
from forum.services.patient_costs import median, patient_costs
from tests.factories import make_doctor
from tests.review_rows import add_reviews, make_costed_treatment


def test_four_cost_reports_show_nothing_and_the_fifth_shows_median_and_range():
    peel = make_costed_treatment()
    add_reviews(peel, [300, 100, 400, 200])
    assert patient_costs(peel.id) is None
    add_reviews(peel, [250])
    costs = patient_costs(peel.id)
    [usd] = costs.currencies
    assert (usd.currency, usd.count, usd.median, usd.low, usd.high) == ("USD", 5, 250, 100, 400)


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two():
    peel = make_costed_treatment()
    add_reviews(peel, [100, 200, 300, 400, 1000, 1001])
    assert patient_costs(peel.id).currencies[0].median == 350
    assert median([1, 2, 3]) == 2 and median([1, 2]) == 2 and median([10, 20, 30, 40]) == 25


def test_each_currency_needs_its_own_five_reports():
    peel = make_costed_treatment()
    add_reviews(peel, [100, 110, 120, 130, 140, 150], currency="USD")
    add_reviews(peel, [90, 95, 100, 105, 110], currency="EUR")
    add_reviews(peel, [80, 85, 90, 95], currency="GBP")
    costs = patient_costs(peel.id)
    assert [(c.currency, c.count, c.median) for c in costs.currencies] == [("USD", 6, 125), ("EUR", 5, 100)]


def test_a_city_is_listed_once_it_has_five_reports_whatever_its_spelling():
    peel = make_costed_treatment()
    add_reviews(peel, [200, 220, 240], city="Springfield")
    add_reviews(peel, [260], city="  springfield ")
    add_reviews(peel, [280, 300, 320, 900], city="Shelbyville")
    [usd] = patient_costs(peel.id).currencies
    assert [(c.city, c.count, c.median, c.low, c.high) for c in usd.cities] == []
    add_reviews(peel, [1000], city="SPRINGFIELD")
    [usd] = patient_costs(peel.id).currencies
    assert [(c.city, c.count, c.median, c.low, c.high) for c in usd.cities] == [("Springfield", 5, 240, 200, 1000)]
    assert (usd.count, usd.low, usd.high) == (9, 200, 1000)


def test_pending_and_hidden_reviews_do_not_count():
    peel = make_costed_treatment()
    add_reviews(peel, [100, 200, 300, 400])
    add_reviews(peel, [500], status=ReviewStatus.PENDING)
    hidden = add_reviews(peel, [600], status=ReviewStatus.HIDDEN)
    assert patient_costs(peel.id) is None
    hidden[0].status = ReviewStatus.PUBLISHED
    db.session.commit()
    assert patient_costs(peel.id).currencies[0].high == 600


def test_worth_it_share_counts_every_published_review_from_five():
    peel = make_costed_treatment()
    add_reviews(peel, [None, None, None], worth_it=WorthIt.YES)
    add_reviews(peel, [None], worth_it=WorthIt.NO)
    add_reviews(peel, [None], worth_it=WorthIt.NOT_SURE, status=ReviewStatus.HIDDEN)
    assert patient_costs(peel.id) is None
    add_reviews(peel, [None], worth_it=WorthIt.NOT_SURE)
    costs = patient_costs(peel.id)
    assert costs.currencies == [] and costs.reviews == 5
    assert costs.worth_it_share == 0.6 and costs.worth_it_percent == 60


def test_only_the_treatments_own_reviews_count_and_in_one_query(count_queries):
    peel, laser = make_costed_treatment(), make_costed_treatment("laser-resurfacing")
    doctor = make_doctor()
    add_reviews(peel, [100, 100, 100, 100], doctor=doctor)
    add_reviews(laser, [900, 900, 900, 900, 900, 900], doctor=doctor)
    assert patient_costs(peel.id) is None
    laser_id = laser.id
    with count_queries() as queries:
        costs = patient_costs(laser_id)
    assert queries.count == 1 and costs.currencies[0].median == 900
