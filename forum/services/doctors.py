"""Public doctor profiles."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forum.errors import NotFound
from forum.extensions import db
from forum.models import DoctorProfile, User, VerificationStatus
from forum.pagination import Page, paginate
from forum.permissions import can


def get_doctor(viewer: User | None, profile_id: int) -> DoctorProfile:
    """A doctor's public profile; applications not yet verified are "not found" to the public."""
    profile = db.session.scalar(select(DoctorProfile).where(DoctorProfile.id == profile_id)
                                .options(selectinload(DoctorProfile.credential_checks)))
    if profile is None or not can(viewer, "doctor.view_profile", profile):
        raise NotFound()
    return profile


def list_doctors(*, cursor: str | None = None, limit: int = 20) -> Page:
    """Verified doctors, newest verification first."""
    stmt = (select(DoctorProfile).where(DoctorProfile.status == VerificationStatus.VERIFIED)
            .options(selectinload(DoctorProfile.credential_checks)))
    return paginate(stmt, columns=[DoctorProfile.id], cursor=cursor, limit=limit)


def reviewer_choices() -> list[DoctorProfile]:
    """Verified doctors who may be named as a post's medical reviewer."""
    stmt = (select(DoctorProfile).where(DoctorProfile.status == VerificationStatus.VERIFIED)
            .options(selectinload(DoctorProfile.credential_checks)).order_by(DoctorProfile.full_name))
    return [d for d in db.session.scalars(stmt) if d.is_verified]
