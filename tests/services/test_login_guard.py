"""Login guard: guesses spread over many IPs stop at the account's cap without locking the owner
out; past the cap the owner logs in with a one-time link sent by mail (issue #12, finding 4)."""
import re

import pytest
import redis
from werkzeug.security import generate_password_hash

from forum import mail
from forum.errors import Invalid, RateLimited
from forum.extensions import db
from forum.models import UserStatus
from forum.services import accounts, login_guard
from tests.conftest import IS_POSTGRES, make_app
from tests.factories import PASSWORD, make_user

WRONG = "not the right passphrase"
ATTACKERS = [f"198.51.100.{n}" for n in range(1, 21)]  # twenty addresses, five guesses each
OWNER_IP = "203.0.113.7"


def owner(**overrides):
    # A cheap hash keeps a hundred password checks quick; hashing cost is not what is tested here.
    return make_user(password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1"), **overrides)


def fail(email: str, ip: str, password: str = WRONG):
    with pytest.raises(Invalid):
        accounts.authenticate(email=email, password=password, ip=ip)


def spread_100_failures(email: str) -> None:
    for n in range(100):
        fail(email, ATTACKERS[n % len(ATTACKERS)])


def links_sent_to(address: str) -> list[str]:
    found = []
    for message in mail.SENT:
        if message["To"] == address:
            found += re.findall(r"/login-link/([A-Za-z0-9_.\-]+)", message.get_body(("plain",)).get_content())
    return found


def test_a_hundred_failures_from_twenty_ips_do_not_stop_the_owner_logging_in_by_link():
    user = owner()
    spread_100_failures(user.email)

    with pytest.raises(login_guard.LoginLinkSent) as answer:  # not RateLimited: never 429 for the owner
        accounts.authenticate(email=user.email, password=PASSWORD, ip=OWNER_IP)
    assert "one-time log-in link" in answer.value.message
    [token] = links_sent_to(user.email)

    assert login_guard.use_login_link(token=token).id == user.id
    with pytest.raises(Invalid, match="invalid, used or expired"):
        login_guard.use_login_link(token=token)  # single use


def test_one_ip_gets_ten_guesses_per_account_then_429_while_the_owner_elsewhere_logs_in():
    user = owner()
    for _ in range(10):
        fail(user.email, ATTACKERS[0])
    with pytest.raises(RateLimited) as refused:
        accounts.authenticate(email=user.email, password=PASSWORD, ip=ATTACKERS[0])
    assert refused.value.status == 429 and refused.value.retry_after > 0
    assert accounts.authenticate(email=user.email, password=PASSWORD, ip=OWNER_IP).id == user.id


def test_past_the_cap_no_password_is_checked_so_the_right_one_gets_nowhere(monkeypatch):
    user = owner()
    spread_100_failures(user.email)
    checked = []
    real_check = accounts.verify_password
    monkeypatch.setattr(accounts, "verify_password", lambda *args: checked.append(args) or real_check(*args))

    answers = set()
    for password in (PASSWORD, WRONG):
        with pytest.raises(login_guard.LoginLinkSent) as answer:
            accounts.authenticate(email=user.email, password=password, ip=ATTACKERS[3])
        answers.add(answer.value.message)
    assert checked == [] and len(answers) == 1  # the right password looks exactly like a wrong one


class TestUnknownAddresses:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_LOGIN_ACCOUNT": "5 per hour"}  # an unknown address costs a full scrypt check

    def test_an_unknown_address_is_answered_like_a_real_one_and_nobody_gets_mail(self):
        user = owner()
        for email in (user.email, "nobody@example.test"):
            for ip in ATTACKERS[:5]:
                fail(email, ip)
        mail.SENT.clear()

        messages = []
        for email in (user.email, "nobody@example.test"):
            with pytest.raises(login_guard.LoginLinkSent) as answer:
                accounts.authenticate(email=email, password=WRONG, ip=OWNER_IP)
            messages.append(answer.value.message)
        assert messages[0] == messages[1]
        assert [m["To"] for m in mail.SENT] == [user.email]


def test_at_most_one_login_link_mail_per_fifteen_minutes(frozen_clock):
    user = owner()
    spread_100_failures(user.email)
    for _ in range(3):
        with pytest.raises(login_guard.LoginLinkSent):
            accounts.authenticate(email=user.email, password=PASSWORD, ip=OWNER_IP)
    assert len(links_sent_to(user.email)) == 1

    frozen_clock.advance(minutes=14)
    with pytest.raises(login_guard.LoginLinkSent):
        accounts.authenticate(email=user.email, password=PASSWORD, ip=OWNER_IP)
    assert len(links_sent_to(user.email)) == 1

    frozen_clock.advance(minutes=17)
    with pytest.raises(login_guard.LoginLinkSent):  # still within the hour: still links only
        accounts.authenticate(email=user.email, password=PASSWORD, ip=OWNER_IP)
    assert len(links_sent_to(user.email)) == 2


def test_the_cap_wears_off_and_the_password_works_again(frozen_clock):
    user = owner()
    spread_100_failures(user.email)
    frozen_clock.advance(hours=2)
    assert accounts.authenticate(email=user.email, password=PASSWORD, ip=ATTACKERS[0]).id == user.id


def test_a_login_link_expires_after_fifteen_minutes(frozen_clock):
    user = owner()
    token = login_guard.login_link_token(user)
    frozen_clock.advance(minutes=16)
    with pytest.raises(Invalid):
        login_guard.use_login_link(token=token)


def test_a_login_link_dies_with_a_password_change_or_a_suspension():
    user = owner()
    changed = login_guard.login_link_token(user)
    accounts.change_password(user, current_password=PASSWORD, new_password="another fine passphrase")
    with pytest.raises(Invalid):
        login_guard.use_login_link(token=changed)

    suspended = login_guard.login_link_token(user)
    user.status = UserStatus.SUSPENDED
    db.session.commit()
    with pytest.raises(Invalid):
        login_guard.use_login_link(token=suspended)


@pytest.mark.parametrize("token", ["", "x", "eyJ1IjoxfQ.forged", "a" * 300])
def test_a_made_up_login_link_is_refused(token):
    owner()
    with pytest.raises(Invalid):
        login_guard.use_login_link(token=token)


def test_counters_live_in_redis_shared_by_two_servers_and_never_hold_the_address(redis_app_pair, redis_url):
    first, second = redis_app_pair
    with first.app_context():
        user = owner(email="owner.name@example.test")
        for _ in range(5):
            fail(user.email, ATTACKERS[0])
        email = user.email
    with second.app_context():
        for _ in range(5):
            fail(email, ATTACKERS[0])
        with pytest.raises(RateLimited):  # the eleventh try, wherever it lands
            accounts.authenticate(email=email, password=PASSWORD, ip=ATTACKERS[0])
    keys = [key.decode() for key in redis.Redis.from_url(redis_url).keys("*login-guard*")]
    assert keys and not any("owner.name" in key or ATTACKERS[0] in key for key in keys)



def test_while_redis_is_down_guesses_are_still_counted_and_nothing_fails():
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens there
    with app.app_context():
        if not IS_POSTGRES:
            db.create_all()
        user = owner()
        for _ in range(10):
            fail(user.email, ATTACKERS[0])
        with pytest.raises(RateLimited):
            accounts.authenticate(email=user.email, password=PASSWORD, ip=ATTACKERS[0])
        assert accounts.authenticate(email=user.email, password=PASSWORD, ip=OWNER_IP).id == user.id
        db.session.remove()
        db.engine.dispose()
