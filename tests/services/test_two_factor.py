"""Two-factor rules without HTTP: codes, recovery codes, re-authentication, the operator's reset."""
from __future__ import annotations

from datetime import timezone

import pyotp
import pytest
from sqlalchemy import select

from forum import clock, mail
from forum.errors import Conflict, Invalid
from forum.extensions import db
from forum.models import RecoveryCode, User
from forum.services import accounts, two_factor
from tests.factories import PASSWORD, make_moderator, make_user, totp_code


def enrolled_member() -> tuple[User, list[str]]:
    user = make_user()
    two_factor.begin_enrolment(user, password=PASSWORD)
    secret = two_factor.pending_enrolment(user)["secret"]
    codes = two_factor.confirm_enrolment(user, code=pyotp.TOTP(secret).at(clock.now().replace(tzinfo=timezone.utc)))
    return user, codes


def test_the_secret_is_stored_encrypted_and_pending_until_confirmed():
    user = make_user()
    secret = two_factor.begin_enrolment(user, password=PASSWORD)
    assert secret not in (user.totp_secret or "") and not user.two_factor_enabled
    assert two_factor.pending_enrolment(user)["uri"].startswith("otpauth://totp/")


def test_recovery_codes_are_hashed_and_each_works_once():
    user, codes = enrolled_member()
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(codes) == len(stored) == 10 and not set(codes) & set(stored)
    assert two_factor.check_code(user, codes[3]) is True
    db.session.commit()
    assert two_factor.check_code(user, codes[3]) is False
    assert two_factor.unused_recovery_codes(user) == 9


def test_new_recovery_codes_replace_the_old_ones():
    user, old = enrolled_member()
    new = two_factor.regenerate_recovery_codes(user, password=PASSWORD, code=old[0])
    assert two_factor.check_code(user, old[1]) is False
    assert two_factor.check_code(user, new[1]) is True


def test_enrolling_twice_is_a_conflict():
    user = make_moderator()
    with pytest.raises(Conflict):
        two_factor.begin_enrolment(user, password=PASSWORD)


def test_reauthentication_needs_password_then_code():
    user = make_moderator()
    with pytest.raises(Invalid) as wrong_password:
        two_factor.confirm_identity(user, password="nope", code=totp_code(user))
    assert list(wrong_password.value.fields) == ["password"]
    with pytest.raises(Invalid) as no_code:
        two_factor.confirm_identity(user, password=PASSWORD)
    assert list(no_code.value.fields) == ["code"]
    two_factor.confirm_identity(user, password=PASSWORD, code=totp_code(user))


def test_a_password_change_with_two_factor_needs_the_code():
    user = make_moderator()
    with pytest.raises(Invalid):
        accounts.change_password(user, current_password=PASSWORD, new_password="another long passphrase")
    accounts.change_password(user, current_password=PASSWORD, new_password="another long passphrase",
                             code=totp_code(user))


def test_the_operator_resets_two_factor_and_the_owner_is_told(app):
    user = make_moderator()
    mail.SENT.clear()
    result = app.test_cli_runner().invoke(args=["reset-two-factor", "--email", user.email])
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert not user.two_factor_enabled and user.totp_secret is None
    assert [m["Subject"] for m in mail.SENT if m["To"] == user.email] == ["Two-factor authentication was turned off"]


def test_create_user_tells_how_staff_enrol(app, monkeypatch):
    monkeypatch.setenv("FORUM_NEW_USER_PASSWORD", "a long enough staff passphrase")
    result = app.test_cli_runner().invoke(args=["create-user", "--email", "mo@example.test", "--name", "Mo",
                                                "--role", "moderator"])
    assert result.exit_code == 0, result.output
    assert "/account/two-factor" in result.output
    assert not accounts.find_user_by_email("mo@example.test").two_factor_enabled
