"""Plain factory functions with a counter; each commits so services see real rows."""
from __future__ import annotations

import itertools
from datetime import date, timedelta

from forum import clock
from forum.extensions import db
from forum.models import Credential, CredentialKind, DoctorProfile, Role, Specialty, User, VerificationStatus
from forum.passwords import hash_password

PASSWORD = "a perfectly fine passphrase"
_counter = itertools.count(1)
_HASH_CACHE: dict[str, str] = {}


def _hash(password: str) -> str:
    # scrypt is slow on purpose; tests reuse one hash per password.
    if password not in _HASH_CACHE:
        _HASH_CACHE[password] = hash_password(password)
    return _HASH_CACHE[password]


def make_user(role: Role = Role.MEMBER, password: str = PASSWORD, **overrides) -> User:
    n = next(_counter)
    fields = {"email": f"user{n}@example.test", "display_name": f"User {n}", "role": role,
              "password_hash": _hash(password), "email_verified_at": clock.now()}
    fields.update(overrides)
    user = User(**fields)
    db.session.add(user)
    db.session.commit()
    return user


def make_moderator(**overrides) -> User:
    return make_user(role=Role.MODERATOR, **overrides)


def make_admin(**overrides) -> User:
    return make_user(role=Role.ADMIN, **overrides)


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
