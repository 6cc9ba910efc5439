"""The consultation request form, and the draft a visitor's form becomes while they log in or
register: its text and its photos, encrypted alike (forum/crypto.py), kept for an hour, used
once. The visitor's session holds only the random draft id; nothing here is ever logged."""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from forum import clock, crypto
from forum.errors import Invalid
from forum.extensions import db
from forum.i18n import _, _l
from forum.models import ConsultationDraft, ConsultationDraftPhoto, DoctorProfile, VerificationStatus
from forum.services import photos, reference

DRAFT_LIFETIME = timedelta(hours=1)
FORM_FIELDS = ("doctor_id", "specialty", "concern", "topics", "treatments", "description", "tried_before", "history",
               "skin_type", "budget", "contact_method", "contact_times", "consent")
# The stored (and API) values of the form's choices, and the words people read for them.
BUDGET_LABELS = {"not sure": _l("not sure"), "under $500": _l("under $500"), "$500 to $1,000": _l("$500 to $1,000"),
                 "$1,000 to $3,000": _l("$1,000 to $3,000"), "over $3,000": _l("over $3,000")}
CONTACT_LABELS = {"in-app messages": _l("in-app messages"), "video call": _l("video call"),
                  "phone call": _l("phone call"), "e-mail": _l("e-mail")}


def _sweep(draft_ids) -> None:
    """Delete drafts and their photos. Runs in the caller's transaction."""
    db.session.execute(delete(ConsultationDraftPhoto).where(ConsultationDraftPhoto.draft_id.in_(draft_ids)))
    db.session.execute(delete(ConsultationDraft).where(ConsultationDraft.id.in_(draft_ids)))


def save_draft(values: dict, photos_in: list[tuple[bytes, str]] = (), *, replaces: str | None = None) -> str:
    """Keep a visitor's form and photos (cleaned like any consultation photo, then encrypted) for
    an hour; returns the random id for their session. A photo that fails the checks refuses the
    whole draft (Invalid), so the visitor hears about it before logging in."""
    if len(photos_in) > photos.MAX_PHOTOS:
        raise Invalid(fields={"photos": [_("Attach at most %(num)s photos.", num=photos.MAX_PHOTOS)]})
    cleaned = photos.clean_photos(photos_in)
    expired = select(ConsultationDraft.id).where(ConsultationDraft.expires_at < clock.now())
    _sweep([*db.session.scalars(expired), *([replaces] if replaces else [])])
    draft = ConsultationDraft(id=secrets.token_urlsafe(32), payload_enc=crypto.encrypt_json(values),
                              expires_at=clock.now() + DRAFT_LIFETIME)
    draft.photos = [ConsultationDraftPhoto(data_enc=crypto.encrypt_bytes(p.data), content_type=p.content_type)
                    for p in cleaned]
    db.session.add(draft)
    db.session.commit()
    return draft.id


def _live(draft_id: str | None) -> ConsultationDraft | None:
    draft = db.session.get(ConsultationDraft, draft_id) if draft_id else None
    return draft if draft is not None and draft.expires_at >= clock.now() else None


def load_draft(draft_id: str | None) -> dict | None:
    draft = _live(draft_id)
    return crypto.decrypt_json(draft.payload_enc) if draft else None


def draft_photo_count(draft_id: str | None) -> int:
    """How many photos a live draft holds (without decrypting them)."""
    if _live(draft_id) is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(ConsultationDraftPhoto)
                             .where(ConsultationDraftPhoto.draft_id == draft_id))


def take_draft_photos(draft_id: str | None) -> list[photos.CleanPhoto]:
    """A live draft's photos, decrypted, and the draft deleted (it is used once). Runs in the
    caller's transaction: if the request is not sent, the draft stays."""
    draft = _live(draft_id)
    if draft is None:
        return []
    kept = [photos.CleanPhoto(crypto.decrypt_bytes(p.data_enc), p.content_type) for p in draft.photos]
    _sweep([draft.id])
    return kept


def drop_draft(draft_id: str | None) -> None:
    if draft_id:
        _sweep([draft_id])
        db.session.commit()


# ---- the form ----

def draft_values(form) -> dict:
    """The submitted form as plain values (lists for topics and treatments); files go apart."""
    return {k: (form.getlist(k) if k in ("topics", "treatments") else form.get(k)) for k in FORM_FIELDS}


def prefill(args) -> dict:
    """Where the visitor came from: a doctor's profile, a topic, a treatment or a question."""
    values: dict = {"topics": [], "treatments": []}
    if (args.get("doctor") or "").isdigit():
        values["doctor_id"] = args["doctor"]
    if args.get("topic"):
        values["topics"] = [args["topic"]]
    if args.get("treatment"):
        values["treatments"] = [args["treatment"]]
    return values


def form_choices(form: dict) -> dict:
    """Doctors who accept requests, specialties, topics and treatments for the form."""
    doctors = [d for d in db.session.scalars(
        select(DoctorProfile).where(DoctorProfile.status == VerificationStatus.VERIFIED,
                                    DoctorProfile.accepts_consultations.is_(True))
        .options(selectinload(DoctorProfile.credential_checks), selectinload(DoctorProfile.user))
        .order_by(DoctorProfile.full_name)) if d.user.is_verified_doctor]
    return {"doctors": doctors, "topics": reference.list_topics(), "treatments": reference.list_treatments(),
            "budgets": list(BUDGET_LABELS.items()), "contact_methods": list(CONTACT_LABELS.items())}
