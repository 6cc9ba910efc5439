"""Log-in pages under a spread-out guessing attack: the owner is never answered 429, logs in
with the one-time link mailed to them, and an attacker gets no more guesses (issue #12, finding 4)."""
import re

import pytest
from werkzeug.security import generate_password_hash

from forum import mail
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_user
from tests.web.html import flashes, text

ATTACKERS = [f"198.51.100.{n}" for n in range(1, 21)]
OWNER_IP = {"REMOTE_ADDR": "203.0.113.7"}


def owner():
    # A cheap hash keeps a hundred password checks quick; hashing cost is not what is tested here.
    return make_user(password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1"))


def post_login(browser, email, password, ip):
    """A log-in post from `ip`, with the CSRF token the browser read once (reading the page a
    hundred times from one address would meet the site-wide limit first)."""
    if not hasattr(browser, "token"):
        browser.token = csrf_token(browser.client)
    return browser.client.post("/login", data={"email": email, "password": password, "csrf_token": browser.token},
                               environ_base={"REMOTE_ADDR": ip} if isinstance(ip, str) else ip)


def link_in_mail(address: str) -> str:
    [message] = [m for m in mail.SENT if m["To"] == address]
    return re.search(r"http://localhost(/login-link/[A-Za-z0-9_.\-]+)", message.get_body(("plain",)).get_content())[1]


def test_after_100_failures_from_20_ips_the_owner_is_not_refused_and_logs_in_once_by_link(
        browser, new_browser, client):
    user = owner()
    attacker = new_browser()
    for n in range(100):
        assert post_login(attacker, user.email, "a wrong guess here", ATTACKERS[n % 20]).status_code == 422

    response = post_login(browser, user.email, PASSWORD, OWNER_IP)
    assert response.status_code == 200  # not 429
    assert flashes(response.get_data(as_text=True)) == [
        "For your safety, this account now logs in through a link sent by e-mail. If the account exists, "
        "we e-mailed it a one-time log-in link; it works for 15 minutes."]
    assert client.get("/account").status_code == 302  # the password alone did not log in

    path = link_in_mail(user.email)
    assert "Log me in" in text(browser.get(path))  # opening the link (a mail scanner) uses nothing up
    assert browser.post_form(path).status_code == 303
    assert client.get("/account").status_code == 200

    again = new_browser()
    refused = again.post_form(path)
    assert refused.status_code == 400 and "invalid, used or expired" in text(refused)


class TestOneAddress:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_LOGIN": "1000 per minute"}  # the per-IP limit of every log-in has its own tests

    def test_one_ip_gets_ten_guesses_at_an_account_then_429(self, browser, new_browser, client):
        user = owner()
        statuses = [post_login(browser, user.email, "a wrong guess here", ATTACKERS[0]).status_code
                    for _ in range(11)]
        assert statuses == [422] * 10 + [429]
        refused = post_login(browser, user.email, PASSWORD, ATTACKERS[0])
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        assert "Too many requests" in text(refused)
        assert post_login(new_browser(), user.email, PASSWORD, OWNER_IP).status_code == 303

    def test_past_the_account_cap_the_right_password_from_an_attacker_ip_logs_nobody_in(self, browser, client):
        user = owner()
        for n in range(100):
            post_login(browser, user.email, "a wrong guess here", ATTACKERS[n % 20])
        right = post_login(browser, user.email, PASSWORD, ATTACKERS[5])
        wrong = post_login(browser, user.email, "another wrong guess", ATTACKERS[6])
        assert right.status_code == wrong.status_code == 200
        assert flashes(right.get_data(as_text=True)) == flashes(wrong.get_data(as_text=True))
        assert client.get("/account").status_code == 302
