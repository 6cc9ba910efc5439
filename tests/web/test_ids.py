"""Out-of-range ids in URLs are 404 pages, never 500 (issue #12, finding 3)."""
import pytest

from forum.extensions import db
from forum.models import Question
from tests.factories import make_moderator, make_user

# 2^31 is past PostgreSQL's integer, 2^63 past SQLite's; 0 names no row either.
OUT_OF_RANGE = ["2147483648", "9223372036854775808", "99999999999999999999", "0"]
GET_PAGES = ["/questions/{}", "/questions/{}/some-slug", "/questions/{}/edit", "/answers/{}/edit",
             "/doctors/{}", "/doctors/{}/some-slug"]


@pytest.mark.parametrize("id_", OUT_OF_RANGE)
@pytest.mark.parametrize("page", GET_PAGES)
def test_a_page_with_an_out_of_range_id_is_a_404_page_for_visitors(client, page, id_):
    response = client.get(page.format(id_))
    assert response.status_code == 404
    assert response.mimetype == "text/html"


@pytest.mark.parametrize("id_", OUT_OF_RANGE)
@pytest.mark.parametrize("page", GET_PAGES + ["/mod/applications/{}", "/mod/users/{}"])
def test_a_page_with_an_out_of_range_id_is_a_404_page_for_staff(client, login, page, id_):
    login(make_moderator())
    assert client.get(page.format(id_)).status_code == 404


@pytest.mark.parametrize("form", ["/questions/{}/answers", "/questions/{}/follow", "/answers/{}/helpful",
                                  "/answers/{}/follow-ups", "/account/tokens/{}/revoke"])
def test_a_form_posted_to_an_out_of_range_id_is_a_404(client, browser, login, form):
    login(make_user())
    response = browser.post_form(form.format("2147483648"), {"body": "Thanks, that helps."}, token_from="/account")
    assert response.status_code == 404


def test_the_largest_id_is_still_routed_and_simply_not_found(client):
    assert client.get("/questions/2147483647").status_code == 404
    assert client.get("/questions/1").status_code == 404


def test_a_value_the_database_cannot_hold_is_a_400_not_a_500(app, client):
    """The safety net under the id bounds: DataError (PostgreSQL) and OverflowError (SQLite)."""
    app.add_url_rule("/probe/huge", "probe_huge", lambda: str(db.session.get(Question, 2**70)))
    response = client.get("/probe/huge")
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
