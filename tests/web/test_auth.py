"""Registration, log-in, log-out and sessions through the HTML pages."""
from forum.extensions import db
from forum.models import User, UserStatus
from tests.factories import PASSWORD, make_user

GOOD = {"email": "New.Member@Example.org", "display_name": "New Member", "password": PASSWORD,
        "confirm_adult": "1"}


def test_member_registers_then_logs_in_and_out(browser, client):
    response = browser.post_form("/register", GOOD)
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    user = db.session.query(User).one()
    assert user.email == "new.member@example.org"
    assert user.password_hash.startswith("scrypt:")
    browser.login(user)
    assert "New Member" in client.get("/").get_data(as_text=True)
    response = browser.post_form("/logout", {}, token_from="/")
    assert response.status_code == 303
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get("/account").status_code == 302


def test_register_form_without_csrf_token_is_refused(client):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 400
    assert db.session.query(User).count() == 0
