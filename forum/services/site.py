"""Site-wide facts: home-page counts and the health check."""
from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from forum.extensions import db
from forum.models import DoctorProfile, VerificationStatus


def home_stats() -> dict:
    """Counts shown on the home page (indexed count queries)."""
    verified = db.session.scalar(select(func.count()).select_from(DoctorProfile).where(
        DoctorProfile.status == VerificationStatus.VERIFIED)) or 0
    return {"verified_doctors": verified}


def database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        db.session.rollback()
        return False
