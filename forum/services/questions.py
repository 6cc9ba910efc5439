"""Questions: ask, edit, browse, the question page, similar questions, follows and invitations."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Select, bindparam, delete, exists, false, func, or_, select, union, update
from sqlalchemy.orm import joinedload, selectinload

from forum import cache, clock
from forum.errors import Invalid, NotFound
from forum.extensions import db
from forum.i18n import _, _l, current_locale
from forum.models import (
    Answer, AnswerReview, DoctorProfile, Follow, FollowUp, Invitation, Question, Topic, Treatment, User,
    VerificationStatus, question_topics, question_treatments,
)
from forum.pagination import Page, paginate
from forum.permissions import can, require, visible_answers, visible_question_parts
from forum.services import (
    following_fanout, notifications, question_photos, reference, revisions, search, search_index, spam, stats, triage,
)
from forum.services.language_detect import detect_language
from forum.services.photos import PhotoUpload
from forum.services.reference import by_slugs

SORT_COLUMNS = {
    "newest": lambda: [Question.created_at, Question.id],
    "active": lambda: [Question.last_activity_at, Question.id],
    "helpful": lambda: [Question.helpful_count, Question.id],
}
MAX_INVITES = 3
DUPLICATE_WINDOW = timedelta(minutes=5)


@dataclass
class AskResult:
    question: Question
    red_flags: list[str]


def get_question(viewer: User | None, question_id: int) -> Question:
    """A question the viewer may see; hidden ones are "not found" to everyone else."""
    question = db.session.get(Question, question_id)
    if question is None or not can(viewer, "question.view", question):
        raise NotFound()
    return question


def _link_subjects(question: Question, data: dict) -> None:
    question.topics = by_slugs(Topic, data.get("topics", []), "topics")
    question.treatments = by_slugs(Treatment, data.get("treatments", []), "treatments")


def check_may_ask(actor: User) -> None:
    """Before showing the ask form: who may not ask is told so (or sent to enrol) at once."""
    require(actor, "question.ask")


def ask_question(actor: User, *, title: str, body: str, topics: list[str], treatments: list[str],
                 anonymous: bool = False, photos: Sequence[PhotoUpload] = (), photo_consent: bool = False,
                 language: str | None = None) -> AskResult:
    """A member asks; the asker follows it automatically. Text matching a safety red flag marks
    the question urgent (moderators see it first) and the caller shows the urgent-care notice.
    Photos (services/question_photos.py) are stored with the question in one transaction. The
    question keeps the `language` it is written in; not given, it is detected from the text."""
    require(actor, "question.ask")
    spam.check_links(actor, "body", title, body)
    recent = db.session.scalar(select(Question.id).where(
        Question.author_id == actor.id, Question.title == title,
        Question.created_at > clock.now() - DUPLICATE_WINDOW))
    if recent is not None:
        raise Invalid(_("You asked this a moment ago."), fields=dict(title=[_("You asked this a moment ago.")]))
    prepared = question_photos.prepare(photos, photo_consent)
    flags = triage.red_flags(title, body)
    question = Question(author=actor, title=title, body=body, anonymous=anonymous, urgent=bool(flags),
                        last_activity_at=clock.now(),
                        language=language or detect_language(f"{title}\n{body}", fallback=current_locale()))
    _link_subjects(question, {"topics": topics, "treatments": treatments})
    db.session.add(question)
    db.session.flush()
    db.session.add(Follow(user_id=actor.id, question_id=question.id))
    question.follower_count = 1
    question_photos.hold_if_new(actor, question, prepared)
    search_index.index_question(question)
    following_fanout.announce_question(question)
    question_photos.save_and_commit(question, prepared)
    return AskResult(question, flags)


def edit_question(actor: User, *, question_id: int, title: str, body: str, topics: list[str],
                  treatments: list[str], anonymous: bool | None = None, photos: Sequence[PhotoUpload] = (),
                  photo_consent: bool = False, remove_photo_ids: Sequence[str] = (),
                  language: str | None = None) -> Question:
    """The asker edits; the last-edited time is kept and the search index follows. `anonymous`
    and `language` None keep the current choice. Photos may be added and removed (services/question_photos.py)."""
    question = get_question(actor, question_id)
    require(actor, "question.edit", question)
    spam.check_links(actor, "body", title, body)
    # Resolve the slugs before touching the row: an unknown one must leave no half-made edit.
    chosen_topics = by_slugs(Topic, topics, "topics")
    chosen_treatments = by_slugs(Treatment, treatments, "treatments")
    leaving = {p.id for p in question.photos} & set(remove_photo_ids)
    prepared = question_photos.prepare(photos, photo_consent, kept=len(question.photos) - len(leaving))
    removed = question_photos.detach(question, list(leaving))
    revisions.record(question, actor)
    question.title, question.body = title, body
    if anonymous is not None:
        question.anonymous = anonymous
    question.language = language or question.language
    question.topics, question.treatments = chosen_topics, chosen_treatments
    question.edited_at = clock.now()
    question.urgent = question.urgent or bool(triage.red_flags(title, body))
    question_photos.hold_if_new(actor, question, prepared)
    search_index.index_question(question)  # and its answers, which carry its title and topics
    question_photos.save_and_commit(question, prepared, removed)
    return question


def list_questions(viewer: User | None, *, topic: str | None = None, treatment: str | None = None,
                   answered: str | None = None, sort: str = "newest", cursor: str | None = None,
                   limit: int = 20, author_id: int | None = None) -> Page:
    """Visible questions, filtered and sorted, with keyset pagination (page 500 costs page 1)."""
    stmt = select(Question).options(selectinload(Question.topics), selectinload(Question.treatments),
                                    selectinload(Question.author), selectinload(Question.photos))
    if topic:
        stmt = stmt.where(_has_subject(question_topics.c.topic_id, reference.topic_id(topic)))
    if treatment:
        stmt = stmt.where(_has_subject(question_treatments.c.treatment_id, reference.treatment_id(treatment)))
    if answered == "yes":
        stmt = stmt.where(Question.answer_count > 0)
    elif answered == "no":
        stmt = stmt.where(Question.answer_count == 0)
    if author_id is not None:
        stmt = stmt.where(Question.author_id == author_id, Question.anonymous.is_(False))
    first, *rest = visible_question_parts(viewer)
    return paginate(stmt.where(first), columns=SORT_COLUMNS[sort](), cursor=cursor, limit=limit,
                    also=[stmt.where(part) for part in rest])


def _has_subject(column, subject_id: int | None):
    """Correlated EXISTS on the link table's primary key: scanning questions in page order stops
    after a page of matches, where an IN-list of every question of the subject grows with data."""
    link = column.table
    return exists().where(link.c.question_id == Question.id, column == (subject_id or 0))


def in_any_subject(topic_ids, treatment_ids):
    """Questions linked to any of these topics or treatments (lists of ids, or SELECTs of ids); an
    empty list matches nothing, and so does the whole filter when both are empty."""
    links = ((question_topics.c.topic_id, topic_ids), (question_treatments.c.treatment_id, treatment_ids))
    parts = [exists().where(column.table.c.question_id == Question.id, column.in_(ids))
             for column, ids in links if isinstance(ids, Select) or ids]
    return or_(*parts) if parts else false()


def record_view(question_id: int) -> None:
    """Count one view; buffered in the shared cache and written in batches (flush_view_counts),
    so reading a question never writes to the database."""
    cache.count_view(question_id)


def flush_view_counts(batch: int = 1000) -> int:
    """Add the buffered views to the questions (hidden ones are not counted); returns views written.
    Views taken from the buffer are put back if the database refuses the write."""
    counts = cache.take_view_counts()
    table = Question.__table__
    stmt = (update(table).where(table.c.id == bindparam("qid"), table.c.hidden.is_(False))
            .values(view_count=table.c.view_count + bindparam("n")))
    rows = [{"qid": qid, "n": n} for qid, n in sorted(counts.items())]
    try:
        for start in range(0, len(rows), batch):
            db.session.execute(stmt, rows[start:start + batch])
        db.session.commit()
    except Exception:
        db.session.rollback()
        for qid, n in counts.items():
            cache.backend().hincrby(cache.VIEWS_KEY, str(qid), n)
        raise
    return sum(counts.values())


def question_page(viewer: User | None, question_id: int, *, count_view: bool = True,
                  with_related: bool = True) -> dict:
    """The question with answers (accepted first, then most helpful), each with its doctor,
    reviews and follow-ups; a fixed number of queries whatever the number of answers. Reading
    never writes: the view is buffered (record_view)."""
    # Many-to-one rows ride along in a JOIN; collections come in one IN-query each.
    question = db.session.scalar(select(Question).where(Question.id == question_id).options(
        selectinload(Question.topics), selectinload(Question.treatments), joinedload(Question.author),
        joinedload(Question.duplicate_of), selectinload(Question.photos)))
    if question is None or not can(viewer, "question.view", question):
        raise NotFound()
    if count_view and not question.hidden:
        record_view(question_id)
    answers = db.session.scalars(
        select(Answer).where(Answer.question_id == question.id, visible_answers(viewer))
        .options(joinedload(Answer.author).joinedload(User.doctor_profile)
                 .selectinload(DoctorProfile.credential_checks),
                 selectinload(Answer.reviews).joinedload(AnswerReview.doctor).joinedload(User.doctor_profile),
                 selectinload(Answer.follow_ups).joinedload(FollowUp.author))
        .order_by(Answer.accepted.desc(), Answer.helpful_count.desc(), Answer.id)).unique().all()
    page = {"question": question, "answers": answers}
    if with_related:
        page.update(related=related_questions(question), related_articles=_related_articles(question))
    return page


def related_questions(question: Question, limit: int = 5, per_topic: int = 10) -> list[Question]:
    """Other visible questions sharing a topic: the newest few of each topic (a bounded index scan
    per topic on (topic_id, question_id)), answered ones first."""
    topic_ids = sorted(t.id for t in question.topics)[:3]
    if not topic_ids:
        return []
    newest = [select(question_topics.c.question_id).where(question_topics.c.topic_id == topic_id,
                                                          question_topics.c.question_id != question.id)
              .order_by(question_topics.c.question_id.desc()).limit(per_topic).subquery().select()
              for topic_id in topic_ids]
    candidate_ids = set(db.session.scalars(union(*newest) if len(newest) > 1 else newest[0]))
    if not candidate_ids:
        return []
    return list(db.session.scalars(
        select(Question).where(Question.id.in_(candidate_ids), Question.hidden.is_(False))
        .order_by((Question.answer_count > 0).desc(), Question.last_activity_at.desc(), Question.id.desc())
        .limit(limit)))


def _related_articles(question: Question):
    return reference.articles_for_subjects([t.id for t in question.topics], [t.id for t in question.treatments])


def similar_questions(title: str, limit: int = 5) -> list[search.Hit]:
    """Up to five existing questions like a title being typed."""
    return search.similar_questions(title, limit=limit)


def follow_question(actor: User, *, question_id: int, follow: bool = True) -> Question:
    """Follow (or stop following) a question's answers and follow-ups."""
    question = get_question(actor, question_id)
    require(actor, "question.follow", question)
    existing = db.session.scalar(select(Follow).where(Follow.user_id == actor.id, Follow.question_id == question.id))
    if follow and existing is None:
        db.session.add(Follow(user_id=actor.id, question_id=question.id))
    elif not follow and existing is not None:
        db.session.execute(delete(Follow).where(Follow.id == existing.id))
    db.session.flush()
    question.follower_count = db.session.scalar(
        select(func.count()).select_from(Follow).where(Follow.question_id == question.id))
    db.session.commit()
    return question


def is_following(user: User | None, question: Question) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return db.session.scalar(select(Follow.id).where(Follow.user_id == user.id,
                                                     Follow.question_id == question.id)) is not None


def invite_candidates(question: Question, limit: int = 10, doctor_ids: list[int] | None = None) -> list[DoctorProfile]:
    """Verified, active doctors whose topics match the question's (or who answered in them), who
    have not answered it yet; `doctor_ids` narrows the search to those profiles."""
    topic_ids = [t.id for t in question.topics]
    answered = select(Answer.author_id).where(Answer.question_id == question.id)
    stmt = (select(DoctorProfile).where(DoctorProfile.status == VerificationStatus.VERIFIED,
                                        DoctorProfile.user_id != question.author_id,
                                        DoctorProfile.user_id.not_in(answered))
            .options(selectinload(DoctorProfile.credential_checks), selectinload(DoctorProfile.user))
            .order_by(DoctorProfile.answer_count.desc(), DoctorProfile.id))
    answered_topic = select(Answer.author_id).join(question_topics, question_topics.c.question_id ==
                                                    Answer.question_id).where(question_topics.c.topic_id.in_(topic_ids))
    stmt = stmt.where(DoctorProfile.topics.any(Topic.id.in_(topic_ids)) | DoctorProfile.user_id.in_(answered_topic))
    if doctor_ids is not None:
        stmt = stmt.where(DoctorProfile.id.in_(doctor_ids))
    return [d for d in db.session.scalars(stmt.limit(limit)) if d.user.is_verified_doctor]


def invite_doctors(actor: User, *, question_id: int, doctor_ids: list[int]) -> list[Invitation]:
    """The asker invites up to three matching verified doctors in all; each is notified."""
    question = get_question(actor, question_id)
    require(actor, "question.invite", question)
    candidates = {d.id: d for d in invite_candidates(question, limit=len(doctor_ids) or 1, doctor_ids=doctor_ids)}
    unknown = [i for i in doctor_ids if i not in candidates]
    if unknown:
        raise Invalid(fields=dict(doctor_ids=[_("Invite verified doctors whose topics match your question.")]))
    already = set(db.session.scalars(select(Invitation.doctor_id).where(Invitation.question_id == question.id)))
    new = [candidates[i] for i in dict.fromkeys(doctor_ids) if candidates[i].user_id not in already]
    if len(already) + len(new) > MAX_INVITES:
        raise Invalid(fields=dict(doctor_ids=[_("You can invite at most %(num)d doctors per question.",
                                               num=MAX_INVITES)]))
    invitations = []
    for doctor in new:
        invitations.append(Invitation(question_id=question.id, doctor_id=doctor.user_id))
        notifications.notify(doctor.user, "invitation",
                             _l("You were invited to answer: %(title)s", title=question.title),
                             link=f"/questions/{question.id}")
    db.session.add_all(invitations)
    db.session.commit()
    return invitations


def median_first_answer_hours(topic: Topic) -> float | None:
    """Median hours to a first doctor answer on the topic, as of the last aggregates refresh."""
    return stats.read(f"topic:{topic.id}").get("median_hours")


def urgent_questions(actor: User, limit: int = 20) -> list[Question]:
    """Questions that matched a safety red flag, newest first, for the moderators' queue."""
    require(actor, "mod.access")
    return list(db.session.scalars(select(Question).where(Question.urgent.is_(True))
                                   .options(selectinload(Question.author))
                                   .order_by(Question.id.desc()).limit(limit)))



def edit_form_values(actor: User, question: Question) -> dict:
    """The edit form prefilled with the question as it stands."""
    require(actor, "question.edit", question)
    return {"title": question.title, "body": question.body, "anonymous": question.anonymous,
            "language": question.language, "topics": [t.slug for t in question.topics],
            "treatments": [t.slug for t in question.treatments]}


def feed_questions(topic: str | None = None, limit: int = 30) -> list[Question]:
    """Recent public questions for the Atom feeds."""
    stmt = select(Question).where(Question.hidden.is_(False)).options(selectinload(Question.author))
    if topic:
        stmt = stmt.where(_has_subject(question_topics.c.topic_id, reference.topic_id(topic)))
    return list(db.session.scalars(stmt.order_by(Question.created_at.desc(), Question.id.desc()).limit(limit)))


def recently_answered(limit: int = 5) -> list[Question]:
    """Public questions with doctor answers, most recently active first (home page)."""
    return list(db.session.scalars(
        select(Question).where(Question.hidden.is_(False), Question.answer_count > 0)
        .options(selectinload(Question.topics), joinedload(Question.author))
        .order_by(Question.last_activity_at.desc(), Question.id.desc()).limit(limit)))
