"""Token exchange by password honours the login guard (issue #12, finding 4)."""
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from forum import mail
from forum.extensions import db
from forum.models import ApiToken
from tests.api.helpers import error_of
from tests.factories import PASSWORD, make_user

TOKEN = "/api/v1/auth/token"


def exchange(client, email, password, ip):
    return client.post(TOKEN, json={"email": email, "password": password, "name": "script"},
                       environ_base={"REMOTE_ADDR": ip})


def test_past_the_account_cap_no_token_is_minted_and_the_owner_gets_a_link(client):
    user = make_user(password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1"))
    for n in range(100):
        assert exchange(client, user.email, "a wrong guess here", f"198.51.100.{n % 20 + 1}").status_code == 422

    response = exchange(client, user.email, PASSWORD, "203.0.113.7")
    assert response.status_code == 202
    assert "one-time log-in link" in response.get_json()["message"]
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
    assert [m["To"] for m in mail.SENT] == [user.email]


def test_one_ip_gets_ten_token_guesses_at_an_account(app, client):
    app.config["RATELIMIT_LOGIN"] = "1000 per minute"
    user = make_user(password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1"))
    for _ in range(10):
        exchange(client, user.email, "a wrong guess here", "198.51.100.1")
    refused = error_of(exchange(client, user.email, PASSWORD, "198.51.100.1"), 429, "rate_limited")
    assert refused["message"]
    assert exchange(client, user.email, PASSWORD, "203.0.113.7").status_code == 201


def test_the_token_exchange_documents_its_202(client):
    responses = client.get("/api/v1/openapi.json").get_json()["paths"][TOKEN]["post"]["responses"]
    assert "202" in responses and "201" in responses
