"""A doctor's profile photo: through the one photo pipeline (services/photos.py: checked by
content, re-encoded without metadata, encrypted, a random stored name), scaled to a small size."""
from __future__ import annotations

from forum.errors import Invalid, NotFound
from forum.extensions import db
from forum.i18n import _
from forum.models import DoctorProfile, User, VerificationStatus
from forum.permissions import can, require
from forum.services import photos

MAX_SIDE = 480  # pixels: enough for a profile at twice the shown size
PUBLIC = (VerificationStatus.VERIFIED, VerificationStatus.LAPSED, VerificationStatus.SUSPENDED)


def set_photo(actor: User, raw: bytes, filename: str = "") -> DoctorProfile:
    """Store a new photo for the actor's own profile; the previous one is removed."""
    profile = actor.doctor_profile
    require(actor, "doctor.edit_photo", profile)
    if not raw:
        message = _("Choose a photo to upload.")
        raise Invalid(message, fields={"photos": [message]})
    clean = photos.clean_photo(raw, filename, max_side=MAX_SIDE)  # Invalid, with a plain reason, under "photos"
    old = profile.photo_name
    with photos.removed_on_failure() as stored:
        stored.append(photos.store(clean))
        profile.photo_name, profile.photo_type = stored[0], clean.content_type
        db.session.commit()
    if old:
        photos.remove(old)
    return profile


def remove_photo(actor: User) -> DoctorProfile:
    """Back to the initials."""
    profile = actor.doctor_profile
    require(actor, "doctor.edit_photo", profile)
    old = profile.photo_name
    profile.photo_name = profile.photo_type = None
    db.session.commit()
    if old:
        photos.remove(old)
    return profile


def photo_file(viewer: User | None, doctor_id: int, name: str) -> tuple[bytes, str, bool]:
    """(bytes, content type, public) of a doctor's current photo; public when anyone may see the
    profile, so shared caches may keep it. An old or unknown name is not found."""
    profile = db.session.get(DoctorProfile, doctor_id)
    if profile is None or not profile.photo_name or profile.photo_name != name:
        raise NotFound()
    if not can(viewer, "doctor.view_profile", profile):
        raise NotFound()
    try:
        data = photos.read(name)
    except (OSError, ValueError):
        raise NotFound() from None
    return data, profile.photo_type or "image/jpeg", profile.status in PUBLIC
