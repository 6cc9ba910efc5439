"""Accounts service: registration, log-in, passwords, e-mail tokens, API tokens, doctor applications."""
import re
from datetime import timedelta

import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select

from forum import mail
from forum.errors import Forbidden, Invalid, NotFound
from forum.extensions import db
from forum.models import DoctorProfile, User, UserStatus, VerificationStatus
from forum.schemas.accounts import DoctorApplicationIn, PasswordChangeIn, RegisterIn
from forum.services import accounts
from tests.factories import PASSWORD, application_data, make_doctor, make_user


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def link_token(message, path: str) -> str:
    """The token at the end of the link `path/<token>` in a sent mail."""
    text = message.get_body(("plain",)).get_content()
    match = re.search(rf"{re.escape(path)}/([A-Za-z0-9_\-]+)", text)
    assert match, text
    return match.group(1)


def sent_to(address: str) -> list:
    return [m for m in mail.SENT if m["To"] == address]


def application(**overrides) -> dict:
    """An application as the DoctorApplicationIn schema hands it to the service."""
    return DoctorApplicationIn().load(application_data(**overrides))


# ---- register ----

def test_register_stores_the_email_in_lower_case_without_surrounding_spaces():
    user = accounts.register(email="  Anna.Smith@Example.ORG ", display_name="Anna", password=PASSWORD)
    assert user.email == "anna.smith@example.org"
    assert user.password_hash.startswith("scrypt:")
    assert user.email_verified_at is None


def test_register_sends_a_confirmation_link_to_the_new_member():
    accounts.register(email="anna@example.org", display_name="Anna", password=PASSWORD)
    (message,) = sent_to("anna@example.org")
    assert "/verify-email/" in message.get_body(("plain",)).get_content()


def test_registering_an_address_taken_in_another_case_creates_nothing_and_mails_the_owner():
    owner = make_user(email="taken@example.org")
    mail.SENT.clear()
    result = accounts.register(email="TAKEN@Example.org", display_name="Intruder", password=PASSWORD)
    assert result is None
    assert user_count() == 1
    assert db.session.get(User, owner.id).display_name != "Intruder"
    (message,) = sent_to("taken@example.org")
    assert "already have" in message.get_body(("plain",)).get_content()


# ---- authenticate ----

def test_authenticate_accepts_the_right_password_whatever_the_email_case():
    user = make_user(email="bob@example.org")
    assert accounts.authenticate(email=" BOB@example.org", password=PASSWORD).id == user.id


@pytest.mark.parametrize("case", ["unknown email", "wrong password", "suspended", "banned"])
def test_authenticate_gives_one_generic_error_whatever_went_wrong(case):
    user = make_user(email="carol@example.org")
    email, password = "carol@example.org", PASSWORD
    if case == "unknown email":
        email = "nobody@example.org"
    elif case == "wrong password":
        password = PASSWORD + "!"
    else:
        user.status = UserStatus.SUSPENDED if case == "suspended" else UserStatus.BANNED
        db.session.commit()
    with pytest.raises(Invalid) as excinfo:
        accounts.authenticate(email=email, password=password)
    assert excinfo.value.message == accounts.GENERIC_LOGIN_ERROR
    assert excinfo.value.fields == {}


def test_a_suspension_that_has_ended_no_longer_blocks_log_in(frozen_clock):
    user = make_user(status=UserStatus.SUSPENDED, suspended_until=frozen_clock.current + timedelta(days=1))
    with pytest.raises(Invalid):
        accounts.authenticate(email=user.email, password=PASSWORD)
    frozen_clock.advance(days=1, minutes=1)
    assert accounts.authenticate(email=user.email, password=PASSWORD).id == user.id


# ---- password policy (the RegisterIn schema both doors load) ----

def register_input(password: str) -> dict:
    return {"email": "dora@example.org", "display_name": "Dora", "password": password, "confirm_adult": True}


@pytest.mark.parametrize("password, accepted", [
    ("abcdefghijk", False),          # 11 characters
    ("tulip-frog-9", True),          # 12 characters
    ("Correct horse battery staple and then some more words to reach 6", True),  # 64
    ("y7" * 64 + "z", False),        # 129 characters
    ("password1234", False),         # on the common-passwords list
    ("xxxxxxxxxxxx", False),         # too easy to guess
])
def test_password_policy_is_length_and_common_passwords_only(password, accepted):
    if accepted:
        assert RegisterIn().load(register_input(password))["password"] == password
    else:
        with pytest.raises(ValidationError) as excinfo:
            RegisterIn().load(register_input(password))
        assert set(excinfo.value.messages) == {"password"}


def test_a_password_of_exactly_128_characters_is_accepted():
    password = "q8 " * 42 + "zw"
    assert len(password) == 128
    assert RegisterIn().load(register_input(password))["password"] == password


def test_the_new_password_of_a_change_follows_the_same_policy():
    with pytest.raises(ValidationError) as excinfo:
        PasswordChangeIn().load({"current_password": PASSWORD, "new_password": "password1234"})
    assert set(excinfo.value.messages) == {"new_password"}


def test_unicode_and_spaces_in_a_password_are_kept_exactly_as_typed():
    password = "  ñandú café 🦩 zebra  "
    data = RegisterIn().load(register_input(password))
    assert data["password"] == password
    user = accounts.register(email=data["email"], display_name=data["display_name"], password=data["password"])
    assert accounts.authenticate(email="dora@example.org", password=password).id == user.id
    for variant in (password.strip(), "  nandu cafe 🦩 zebra  "):
        with pytest.raises(Invalid):
            accounts.authenticate(email="dora@example.org", password=variant)


# ---- change_password ----

def test_change_password_needs_the_current_password():
    user = make_user()
    version = user.session_version
    with pytest.raises(Invalid) as excinfo:
        accounts.change_password(user, current_password="not my password", new_password="tulip-frog-9")
    assert "current_password" in excinfo.value.fields
    assert db.session.get(User, user.id).session_version == version
    assert accounts.authenticate(email=user.email, password=PASSWORD)


def test_change_password_replaces_the_password_and_ends_every_session():
    user = make_user()
    old_session_id = user.get_id()
    accounts.change_password(user, current_password=PASSWORD, new_password="tulip-frog-9")
    assert accounts.load_session_user(old_session_id) is None
    assert accounts.authenticate(email=user.email, password="tulip-frog-9").id == user.id
    with pytest.raises(Invalid):
        accounts.authenticate(email=user.email, password=PASSWORD)


# ---- password reset tokens ----

def reset_token_for(user) -> str:
    mail.SENT.clear()
    accounts.request_password_reset(email=user.email.upper())
    (message,) = sent_to(user.email)
    return link_token(message, "/reset-password")


def test_a_reset_link_works_once_and_ends_every_session():
    user = make_user()
    old_session_id = user.get_id()
    token = reset_token_for(user)
    accounts.reset_password(token=token, password="tulip-frog-9")
    assert accounts.authenticate(email=user.email, password="tulip-frog-9").id == user.id
    assert accounts.load_session_user(old_session_id) is None
    with pytest.raises(Invalid) as excinfo:
        accounts.reset_password(token=token, password="kq7 vb2 zm9x")
    assert "token" in excinfo.value.fields
    assert accounts.authenticate(email=user.email, password="tulip-frog-9")


def test_a_reset_link_still_works_just_before_an_hour(frozen_clock):
    user = make_user()
    token = reset_token_for(user)
    frozen_clock.advance(minutes=59)
    accounts.reset_password(token=token, password="tulip-frog-9")
    assert accounts.authenticate(email=user.email, password="tulip-frog-9")


def test_a_reset_link_expires_after_an_hour(frozen_clock):
    user = make_user()
    token = reset_token_for(user)
    frozen_clock.advance(hours=1, seconds=1)
    with pytest.raises(Invalid):
        accounts.reset_password(token=token, password="tulip-frog-9")
    assert accounts.authenticate(email=user.email, password=PASSWORD)


def test_a_made_up_reset_token_is_refused():
    make_user()
    with pytest.raises(Invalid):
        accounts.reset_password(token="x" * 43, password="tulip-frog-9")


def test_asking_to_reset_an_unknown_address_sends_nothing():
    accounts.request_password_reset(email="ghost@example.org")
    assert mail.SENT == []


def test_a_banned_user_gets_no_reset_link():
    user = make_user(status=UserStatus.BANNED)
    accounts.request_password_reset(email=user.email)
    assert mail.SENT == []


# ---- e-mail verification ----

def test_the_confirmation_link_verifies_the_email_once():
    user = accounts.register(email="erin@example.org", display_name="Erin", password=PASSWORD)
    token = link_token(sent_to("erin@example.org")[0], "/verify-email")
    assert accounts.verify_email(token=token).email_verified_at is not None
    with pytest.raises(Invalid):
        accounts.verify_email(token=token)
    assert db.session.get(User, user.id).email_verified_at is not None


def test_a_reset_token_cannot_confirm_an_email():
    user = make_user(email_verified_at=None)
    token = reset_token_for(user)
    with pytest.raises(Invalid):
        accounts.verify_email(token=token)
    assert db.session.get(User, user.id).email_verified_at is None


def test_the_confirmation_link_expires_after_an_hour(frozen_clock):
    accounts.register(email="fay@example.org", display_name="Fay", password=PASSWORD)
    token = link_token(sent_to("fay@example.org")[0], "/verify-email")
    frozen_clock.advance(minutes=61)
    with pytest.raises(Invalid):
        accounts.verify_email(token=token)


# ---- API tokens ----

def test_an_issued_token_authenticates_its_owner_until_revoked():
    user = make_user()
    token, raw = accounts.issue_token(user, name="script", password=PASSWORD)
    assert raw not in (token.token_hash, token.prefix) and raw.startswith(token.prefix)
    assert accounts.load_token_user(raw).id == user.id
    accounts.revoke_token(user, token_id=token.id)
    assert accounts.load_token_user(raw) is None
    assert [t.revoked_at is not None for t in accounts.list_tokens(user)] == [True]


def test_another_users_token_is_not_found_and_stays_active():
    owner, other = make_user(), make_user()
    token, raw = accounts.issue_token(owner, name="mine", password=PASSWORD)
    with pytest.raises(NotFound):
        accounts.revoke_token(other, token_id=token.id)
    assert accounts.load_token_user(raw).id == owner.id


def test_revoking_a_token_that_does_not_exist_is_not_found():
    with pytest.raises(NotFound):
        accounts.revoke_token(make_user(), token_id=987654)


def test_a_suspended_users_token_authenticates_nobody():
    user = make_user()
    _token, raw = accounts.issue_token(user, name="script", password=PASSWORD)
    user.status = UserStatus.SUSPENDED
    db.session.commit()
    assert accounts.load_token_user(raw) is None


def test_tokens_are_listed_to_their_owner_only():
    owner, other = make_user(), make_user()
    accounts.issue_token(owner, name="mine", password=PASSWORD)
    assert accounts.list_tokens(other) == []
    assert [t.name for t in accounts.list_tokens(owner)] == ["mine"]


# ---- doctor applications ----

def test_a_member_applies_as_a_doctor_and_the_application_is_pending():
    user = make_user()
    profile = accounts.apply_as_doctor(user, **application(full_name="Dr. Ada Example"))
    assert profile.status == VerificationStatus.PENDING
    assert profile.user_id == user.id and profile.full_name == "Dr. Ada Example"
    assert not user.is_verified_doctor
    assert accounts.my_application(user).id == profile.id


def test_a_pending_applicant_cannot_apply_again():
    user = make_user()
    accounts.apply_as_doctor(user, **application(full_name="Dr. First Try"))
    with pytest.raises(Forbidden):
        accounts.apply_as_doctor(user, **application(full_name="Dr. Second Try"))
    assert db.session.scalar(select(func.count()).select_from(DoctorProfile)) == 1
    assert user.doctor_profile.full_name == "Dr. First Try"


def test_a_verified_doctor_cannot_apply_again():
    doctor = make_doctor()
    with pytest.raises(Forbidden):
        accounts.apply_as_doctor(doctor, **application())
    assert doctor.doctor_profile.status == VerificationStatus.VERIFIED


def test_a_rejected_doctor_may_apply_again_and_is_pending_once_more():
    doctor = make_doctor(status=VerificationStatus.REJECTED, decision_reason="License not found")
    profile = accounts.apply_as_doctor(doctor, **application(license_number="NEW-123"))
    assert profile.status == VerificationStatus.PENDING
    assert profile.license_number == "NEW-123"
    assert profile.decision_reason is None and profile.decided_at is None


def test_a_suspended_member_cannot_apply():
    user = make_user(status=UserStatus.SUSPENDED)
    with pytest.raises(Forbidden):
        accounts.apply_as_doctor(user, **application())


def test_someone_who_never_applied_has_no_application():
    with pytest.raises(NotFound):
        accounts.my_application(make_user())


# ---- the language setting (#16) ----

def test_set_locale_saves_a_language_we_offer_or_none_to_follow_the_browser():
    user = make_user()
    accounts.set_locale(user, "es")
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "es"
    accounts.set_locale(db.session.get(User, user.id), None)
    db.session.expire_all()
    assert db.session.get(User, user.id).locale is None


def test_set_locale_takes_a_regional_code_as_its_language():
    user = make_user()
    accounts.set_locale(user, "es-MX")
    assert user.locale == "es"


@pytest.mark.parametrize("bad", ["fr", "", "español", 3, ["es"]])
def test_set_locale_refuses_anything_else_at_the_locale_field(bad):
    user = make_user(locale="en")
    with pytest.raises(Invalid) as refused:
        accounts.set_locale(user, bad)
    assert set(refused.value.fields) == {"locale"}
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"


def test_registering_in_spanish_keeps_spanish_as_the_new_members_language(app):
    with app.test_request_context("/register", headers={"Accept-Language": "es-MX,es;q=0.9"}):
        user = accounts.register(email="nueva@example.org", display_name="Nueva", password=PASSWORD)
    assert user.locale == "es"


def test_an_account_made_on_the_command_line_follows_the_browser():
    assert accounts.register(email="cli@example.org", display_name="Cli", password=PASSWORD).locale is None
