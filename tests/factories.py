"""Plain factory functions with a counter; each commits so services see real rows."""
from __future__ import annotations

import itertools
from datetime import date, timedelta, timezone


import pyotp

from forum import clock, crypto
from forum.extensions import db
from forum.models import (
    Credential, CredentialKind, DoctorProfile, Question, Role, Specialty, Treatment, User, VerificationStatus,
)
from forum.passwords import hash_password

PASSWORD = "a perfectly fine passphrase"
# Moderators and admins are made with two-factor on and this secret, so tests compute codes.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_counter = itertools.count(1)
_HASH_CACHE: dict[str, str] = {}


def _hash(password: str) -> str:
    # scrypt is slow on purpose; tests reuse one hash per password.
    if password not in _HASH_CACHE:
        _HASH_CACHE[password] = hash_password(password)
    return _HASH_CACHE[password]


def make_user(role: Role = Role.MEMBER, password: str = PASSWORD, two_factor: bool | None = None,
              **overrides) -> User:
    """A user; staff get two-factor on (TOTP_SECRET) unless `two_factor=False`."""
    n = next(_counter)
    fields = {"email": f"user{n}@example.test", "display_name": f"User {n}", "role": role,
              "password_hash": _hash(password), "email_verified_at": clock.now()}
    if two_factor if two_factor is not None else role in (Role.MODERATOR, Role.ADMIN):
        fields.update(totp_secret=crypto.encrypt_json(TOTP_SECRET), totp_enabled_at=clock.now())
    fields.update(overrides)
    user = User(**fields)
    db.session.add(user)
    db.session.commit()
    return user


def make_moderator(**overrides) -> User:
    return make_user(role=Role.MODERATOR, **overrides)


def make_admin(**overrides) -> User:
    return make_user(role=Role.ADMIN, **overrides)


def make_trusted_member(**overrides) -> User:
    """A member whose flags count in full (services/moderation_trust.py): a month old, with a
    public question of their own."""
    overrides.setdefault("created_at", clock.now() - timedelta(days=30))
    user = make_user(**overrides)
    db.session.add(Question(author=user, title=f"An earlier question by {user.display_name}",
                            body="An ordinary question the site kept, asked a while ago."))
    db.session.commit()
    return user


def application_data(**overrides) -> dict:
    n = next(_counter)
    data = {"full_name": f"Dr. Testa Fictional {n}", "credentials": "MD, FAAD",
            "specialty": "dermatology", "board_certification": "American Board of Dermatology",
            "license_number": f"LIC-{n:05d}", "license_region": "Demo State Medical Board",
            "practice_name": "Imaginary Skin Clinic", "city": "Springfield", "region": "Demo State",
            "country": "United States", "bio": "A **fictional** dermatologist for tests.",
            "website": "https://example.org/clinic"}
    data.update(overrides)
    return data


def make_doctor(status: VerificationStatus = VerificationStatus.VERIFIED, user: User | None = None,
                license_expires_on: date | None = None, **overrides) -> User:
    """A user with a doctor profile; verified ones get a license check on the ledger."""
    user = user or make_user()
    data = application_data(**overrides)
    data["specialty"] = Specialty(data["specialty"])
    profile = DoctorProfile(user=user, status=status, **data)
    db.session.add(profile)
    if status == VerificationStatus.VERIFIED:
        db.session.add(Credential(doctor=profile, kind=CredentialKind.LICENSE, identifier=profile.license_number,
                                  issuer=profile.license_region, source="Demo board register",
                                  expires_on=license_expires_on or (clock.now().date() + timedelta(days=365))))
        profile.decided_at = clock.now()
    db.session.commit()
    return user


def totp_code(user: User) -> str:
    """The code the user's app shows now. Each code is accepted once; tests act as if the next
    30-second step had come (the user's last accepted step is forgotten)."""
    user.totp_last_step = None
    db.session.commit()
    return pyotp.TOTP(TOTP_SECRET).at(clock.now().replace(tzinfo=timezone.utc))


def mint_token(user: User, name: str = "tests") -> str:
    """A fresh API token of `user`, minted as the user would: re-confirming the password (and
    the two-factor code when it is on)."""
    from forum.services import accounts

    code = totp_code(user) if user.two_factor_enabled else None
    _token, raw = accounts.issue_token(user, name=name, password=PASSWORD, code=code)
    return raw


def make_treatment(slug: str = "chemical-peel", name: str = "Chemical peel") -> Treatment:
    """A treatment of the reference list (tests do not load the seed)."""
    treatment = Treatment(slug=slug, name=name, kind="procedure", how_it_works="Explained elsewhere.")
    db.session.add(treatment)
    db.session.commit()
    return treatment


def review_data(**overrides) -> dict:
    """A valid review as the service takes it (typed values, as a schema loads them)."""
    data = {"treatment": "chemical-peel", "rating": 4, "worth_it": "yes", "treated_on": date(2026, 3, 1),
            "cost_amount": 350, "cost_currency": "USD", "city": "Springfield",
            "body": "The peel stung for a few minutes, the redness faded in two days and my skin looks smoother.",
            "photo_consent": False}
    data.update(overrides)
    return data


def make_reviewer(**overrides) -> User:
    """A member old enough (30 days) for their reviews to publish at once."""
    overrides.setdefault("created_at", clock.now() - timedelta(days=30))
    return make_user(**overrides)
