"""Photos in public questions: up to four, each with a description (alt text) and the asker's
consent to show them publicly. Files go through the one pipeline (services/photos.py: checked by
content, re-encoded without EXIF or GPS, encrypted, random stored names). A question with photos
from an account under a week old is held (hidden, awaiting_approval) until a moderator approves.

questions.ask_question / edit_question call `prepare` before changing anything, `hold_if_new`
before indexing, and `save_and_commit` to store the files with the rows in one transaction."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forum import clock
from forum.errors import Invalid, NotFound
from forum.extensions import db
from forum.i18n import _
from forum.models import Question, QuestionPhoto, User
from forum.permissions import can, require
from forum.services import moderation_trust, photos, search_index
from forum.services.photos import PhotoUpload

MAX_PHOTOS = 4
MAX_ALT = 300
MAX_SIDE = 2048  # pixels: plenty for a screen, and a smaller public file


@dataclass
class Prepared:
    clean: photos.CleanPhoto
    alt: str


def photo_url(photo: QuestionPhoto) -> str:
    return f"/questions/{photo.question_id}/photos/{photo.id}"


def input_errors(photos: Sequence[PhotoUpload] = (), photo_consent: bool = False, kept: int = 0) -> dict:
    """The cheap checks (count, descriptions, consent) as field messages; nothing is decoded."""
    errors: dict[str, list[str]] = {}
    if kept + len(photos) > MAX_PHOTOS:
        errors["photos"] = [_("A question can have at most %(num)d photos. Remove one before adding another.",
                              num=MAX_PHOTOS) if kept
                            else _("A question can have at most %(num)d photos.", num=MAX_PHOTOS)]
    for number, upload in enumerate(photos, start=1):
        field = upload.alt_field or f"photo_alt_{number}"
        alt = (upload.alt or "").strip()
        if not alt:
            errors[field] = [_("Describe photo %(number)d in a few words for people who cannot see it.", number=number)]
        elif len(alt) > MAX_ALT:
            errors[field] = [_("Keep the description of photo %(number)d to %(max)d characters or fewer.",
                               number=number, max=MAX_ALT)]
    if photos and not photo_consent:
        errors["photo_consent"] = [_("Tick this box to show your photos publicly, or remove the photos.")]
    return errors


def prepare(photos_in: Sequence[PhotoUpload], photo_consent: bool, kept: int = 0) -> list[Prepared]:
    """Check everything, then clean every file (metadata removed, re-encoded), or Invalid with
    field messages; nothing is stored yet."""
    if not photos_in:
        return []
    errors = input_errors(photos_in, photo_consent, kept)
    if errors:
        raise Invalid(_("Check the photos."), fields=errors)
    for upload in photos_in:  # every file passes the cheap checks before any is decoded
        photos.check_photo(upload.raw, upload.filename)
    return [Prepared(photos.clean_photo(u.raw, u.filename, max_side=MAX_SIDE), u.alt.strip()) for u in photos_in]


def hold_if_new(actor: User, question: Question, prepared: Sequence[Prepared]) -> None:
    """Photos from an account under a week old wait for a moderator (a question a moderator hid
    stays as it is: approving must not undo that)."""
    if prepared and moderation_trust.is_new_account(actor) and not (question.hidden and not question.awaiting_approval):
        question.hidden, question.awaiting_approval = True, True


def detach(question: Question, photo_ids: Sequence[str]) -> list[str]:
    """Take the named photos off the question (ids of other questions are ignored); returns the
    stored names to remove once the change is committed."""
    wanted = set(photo_ids)
    gone = [p for p in question.photos if p.id in wanted]
    for photo in gone:
        question.photos.remove(photo)
    return [p.stored_name for p in gone]


def save_and_commit(question: Question, prepared: Sequence[Prepared], removed: Sequence[str] = ()) -> None:
    """Write the new files, add their rows and commit with the rest of the change; when the
    commit fails the new files are removed (nothing partial), when it succeeds the old ones."""
    with photos.removed_on_failure() as stored:
        position = max((p.position for p in question.photos), default=-1) + 1
        for offset, item in enumerate(prepared):
            stored.append(photos.store(item.clean))
            question.photos.append(QuestionPhoto(stored_name=stored[-1], content_type=item.clean.content_type,
                                                 alt=item.alt, position=position + offset))
        db.session.commit()
    for name in removed:
        photos.remove(name)


def _own_question(actor: User, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or not can(actor, "question.view", question):
        raise NotFound()
    require(actor, "question.edit", question)
    return question


def add_photos(actor: User, *, question_id: int, photos_in: Sequence[PhotoUpload], photo_consent: bool) -> Question:
    """The asker adds photos to their question (the API's door; the edit form goes through
    questions.edit_question). Counts as an edit."""
    question = _own_question(actor, question_id)
    if not photos_in:
        raise Invalid(fields=dict(photos=[_("Attach a photo as the multipart field `photos`.")]))
    prepared = prepare(photos_in, photo_consent, kept=len(question.photos))
    _touch(actor, question, prepared)
    save_and_commit(question, prepared)
    return question


def remove_photo(actor: User, *, question_id: int, photo_id: str) -> Question:
    """The asker removes one photo from their question; its file goes too."""
    question = _own_question(actor, question_id)
    if photo_id not in {p.id for p in question.photos}:
        raise NotFound()
    removed = detach(question, [photo_id])
    _touch(actor, question, [])
    save_and_commit(question, [], removed)
    return question


def _touch(actor: User, question: Question, prepared: Sequence[Prepared]) -> None:
    question.edited_at = clock.now()  # also tells the page cache that the question changed
    hold_if_new(actor, question, prepared)
    search_index.index_question(question)


def photo_file(viewer: User | None, question_id: int, photo_id: str) -> tuple[bytes, str, bool]:
    """(bytes, content type, public) of a question's photo. Public when everyone may see the
    question (shared caches may keep it); a held or hidden question's photos are for its asker
    and staff only, and not found to anyone else."""
    photo = db.session.get(QuestionPhoto, photo_id) if len(photo_id) <= 32 else None
    if photo is None or photo.question_id != question_id or not can(viewer, "question.view", photo.question):
        raise NotFound()
    try:
        data = photos.read(photo.stored_name)
    except (OSError, ValueError):
        raise NotFound() from None
    question = photo.question
    return data, photo.content_type, not question.hidden and question.deleted_at is None


def held_questions(actor: User, limit: int = 50) -> list[Question]:
    """Questions with photos from new accounts waiting for approval, oldest first (moderators)."""
    require(actor, "mod.access")
    return list(db.session.scalars(
        select(Question).where(Question.awaiting_approval.is_(True), Question.deleted_at.is_(None))
        .options(selectinload(Question.author), selectinload(Question.photos))
        .order_by(Question.created_at, Question.id).limit(limit)))


def export_photos_of(user: User) -> list[dict]:
    """For the account export: the photos in the user's questions."""
    rows = db.session.scalars(select(QuestionPhoto).join(Question).where(Question.author_id == user.id)
                              .order_by(QuestionPhoto.question_id, QuestionPhoto.position, QuestionPhoto.id))
    return [{"id": p.id, "question_id": p.question_id, "alt": p.alt, "url": photo_url(p)} for p in rows]


def erase_photos_of(user: User) -> list[str]:
    """For account deletion: delete the photos of the user's questions (in the caller's
    transaction); returns the stored names for the caller to remove after the commit."""
    rows = db.session.scalars(select(QuestionPhoto).join(Question).where(Question.author_id == user.id)).all()
    for photo in rows:
        db.session.delete(photo)
    return [p.stored_name for p in rows]
