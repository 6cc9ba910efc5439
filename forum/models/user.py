"""Accounts: User, DoctorProfile, Credential (the verification ledger), ApiToken, AuthToken, RecoveryCode."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from forum import clock
from forum.extensions import db
from forum.models.base import TimestampMixin, str_enum, utcnow
from forum.text import render_markdown

if TYPE_CHECKING:  # a mapped relationship below names it; the registry resolves it at run time
    from forum.models.reference import Topic


class Role(enum.StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"


class UserStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    BANNED = "banned"


class Specialty(enum.StrEnum):
    DERMATOLOGY = "dermatology"
    PLASTIC_SURGERY = "plastic surgery"
    FACIAL_PLASTIC_SURGERY = "facial plastic surgery"
    OCULOPLASTIC_SURGERY = "oculoplastic surgery"
    COSMETIC_SURGERY = "cosmetic surgery"
    OTHER = "other"


class VerificationStatus(enum.StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    LAPSED = "lapsed"


class CredentialKind(enum.StrEnum):
    LICENSE = "license"
    BOARD_CERTIFICATION = "board certification"


class User(TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  # stored normalised (lower case)
    display_name: Mapped[str] = mapped_column(sa.String(50))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.MEMBER)
    status: Mapped[UserStatus] = mapped_column(str_enum(UserStatus), default=UserStatus.ACTIVE)
    suspended_until: Mapped[datetime | None]
    email_verified_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    # Bumped on log-out, password change, suspension and ban: every session and
    # remember-me cookie carrying the old number stops working (SECURITY.md #8).
    session_version: Mapped[int] = mapped_column(default=1)
    # Two-factor (TOTP): the secret is Fernet-encrypted (forum.crypto) and never leaves the
    # services; it is "pending" until a first code confirms it (totp_enabled_at set). The last
    # accepted time step stops a code from being used twice.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(255))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # IANA zone name (e.g. "Europe/Paris") for entering and showing consultation times;
    # None until set (then the browser's zone is offered, else UTC).
    time_zone: Mapped[str | None] = mapped_column(sa.String(64))
    # The language the site and its e-mails use for this user ("en", "es"); None: the browser's.
    locale: Mapped[str | None] = mapped_column(sa.String(8))

    doctor_profile: Mapped[DoctorProfile | None] = relationship(
        back_populates="user", uselist=False, foreign_keys="DoctorProfile.user_id",
        cascade="all, delete-orphan", passive_deletes=True)

    # Flask-Login protocol
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.status != UserStatus.BANNED and not self.is_suspended

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_suspended(self) -> bool:
        if self.status != UserStatus.SUSPENDED:
            return False
        return self.suspended_until is None or self.suspended_until > clock.now()

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.MODERATOR, Role.ADMIN)

    @property
    def is_verified_doctor(self) -> bool:
        profile = self.doctor_profile
        return bool(profile and profile.is_verified and self.is_active)


class DoctorProfile(TimestampMixin, db.Model):
    __tablename__ = "doctor_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    credentials: Mapped[str] = mapped_column(sa.String(80))
    specialty: Mapped[Specialty] = mapped_column(str_enum(Specialty, 30))
    board_certification: Mapped[str | None] = mapped_column(sa.String(160))
    license_number: Mapped[str] = mapped_column(sa.String(60))
    license_region: Mapped[str] = mapped_column(sa.String(80))
    practice_name: Mapped[str | None] = mapped_column(sa.String(160))
    city: Mapped[str] = mapped_column(sa.String(80))
    region: Mapped[str | None] = mapped_column(sa.String(80))
    country: Mapped[str] = mapped_column(sa.String(80))
    bio: Mapped[str | None] = mapped_column(sa.Text)
    bio_html: Mapped[str] = mapped_column(sa.Text, default="", server_default="")  # sanitised, at write time
    website: Mapped[str | None] = mapped_column(sa.String(255))
    accepts_consultations: Mapped[bool] = mapped_column(default=True)
    # The languages the doctor answers and consults in (locale codes, e.g. ["en", "es"]), kept
    # sorted; the directory filters by one through doctor_languages.
    languages: Mapped[list["DoctorLanguage"]] = relationship(  # noqa: UP037 - defined below
        cascade="all, delete-orphan", order_by="DoctorLanguage.language", lazy="selectin")
    # A profile photo through services/photos.py: re-encoded, encrypted, a random stored name
    # (the name is in the photo's URL, so a new photo is a new URL and a cached one never goes stale).
    photo_name: Mapped[str | None] = mapped_column(sa.String(64))
    photo_type: Mapped[str | None] = mapped_column(sa.String(20))
    answer_count: Mapped[int] = mapped_column(default=0)   # visible answers, kept by the qa services
    helpful_count: Mapped[int] = mapped_column(default=0)  # helpful votes on those answers
    status: Mapped[VerificationStatus] = mapped_column(
        str_enum(VerificationStatus), default=VerificationStatus.PENDING, index=True)
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(sa.String(500))

    user: Mapped[User] = relationship(back_populates="doctor_profile", foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    topics: Mapped[list["Topic"]] = relationship(  # noqa: UP037 - defined in models.reference
        "Topic", secondary="doctor_topics", order_by="Topic.name")
    credential_checks: Mapped[list[Credential]] = relationship(
        back_populates="doctor", order_by="Credential.checked_at.desc()", cascade="all, delete-orphan")

    @validates("bio")
    def _render_bio(self, _key, value):
        self.bio_html = str(render_markdown(value)) if value else ""
        return value

    @property
    def is_demo(self) -> bool:
        """Demo content (`forum seed --demo`): license numbers starting "DEMO-" are reserved for it
        (seed/README.md), so the pages can say the person is fictional."""
        return (self.license_number or "").upper().startswith("DEMO-")

    @property
    def initials(self) -> str:
        """Up to two letters for the photo placeholder: first and last name, titles left out."""
        words = [w for w in self.full_name.replace(".", " ").split() if w.lower() not in ("dr", "prof", "md")]
        if not words:
            return "?"
        return (words[0][0] + (words[-1][0] if len(words) > 1 else "")).upper()

    @property
    def current_license(self) -> Credential | None:
        """The most recent license check on the ledger."""
        return next((c for c in self.credential_checks if c.kind == CredentialKind.LICENSE), None)

    @property
    def license_expired(self) -> bool:
        lic = self.current_license
        return lic is not None and lic.is_expired

    @property
    def is_verified(self) -> bool:
        """Verified and the checked license has not expired (expiry lapses it at once)."""
        return self.status == VerificationStatus.VERIFIED and not self.license_expired

    @property
    def public_status(self) -> VerificationStatus:
        if self.status == VerificationStatus.VERIFIED and self.license_expired:
            return VerificationStatus.LAPSED
        return self.status


class Credential(db.Model):
    """One checked credential: what, against which source, when, by whom, until when."""

    __tablename__ = "credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    doctor_id: Mapped[int] = mapped_column(sa.ForeignKey("doctor_profiles.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CredentialKind] = mapped_column(str_enum(CredentialKind, 30))
    identifier: Mapped[str] = mapped_column(sa.String(160))
    issuer: Mapped[str] = mapped_column(sa.String(160))
    source: Mapped[str] = mapped_column(sa.String(255))
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    expires_on: Mapped[date | None]

    doctor: Mapped[DoctorProfile] = relationship(back_populates="credential_checks")
    checked_by: Mapped[User | None] = relationship()

    @property
    def is_expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < clock.now().date()


class ApiToken(TimestampMixin, db.Model):
    """A named bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]  # to the hour: see services.accounts.load_token_user
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= clock.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired


class AuthTokenPurpose(enum.StrEnum):
    PASSWORD_RESET = "password_reset"
    VERIFY_EMAIL = "verify_email"
    EMAIL_CHANGE = "email_change"


class AuthToken(TimestampMixin, db.Model):
    """Single-use e-mail token (reset, verification): 256 random bits, stored hashed, 1 h life."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[AuthTokenPurpose] = mapped_column(str_enum(AuthTokenPurpose))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    new_email: Mapped[str | None] = mapped_column(sa.String(254))  # EMAIL_CHANGE: the address to confirm

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """A single-use two-factor recovery code; only its SHA-256 is kept (the codes carry 80 random bits)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class DoctorLanguage(db.Model):
    """One language a doctor speaks (an ISO 639-1 code)."""

    __tablename__ = "doctor_languages"

    doctor_id: Mapped[int] = mapped_column(sa.ForeignKey("doctor_profiles.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(sa.String(8), primary_key=True, index=True)
