"""API: questions, answers, votes, reviews, follow-ups, follows, invitations, search, dashboard."""
from flask import jsonify, request
from flask_login import current_user
from flask_smorest import Blueprint

from forum import ratelimits
from forum.api.auth import AUTH, actor
from forum.permissions import can
from forum.schemas.qa import (
    AnswerIn, AnswerOut, AnswerReviewIn, AnswerReviewOut, FollowUpIn, FollowUpOut, InviteIn, QuestionArgs,
    QuestionDetailOut, QuestionDetailStaffOut, QuestionEditIn, QuestionIn, QuestionOut, SearchArgs, SearchPageOut,
    SimilarArgs, SimilarOut,
)
from forum.schemas.common import page_of
from forum.services import answers, doctors, photos, question_photos, questions, search

blp = Blueprint("api_questions", __name__, description="Questions, answers, votes, follow-ups and search")


def _detail(question_id: int, status: int = 200, count_view: bool = True):
    """The question as this viewer may see it: the asker of an anonymous question only for staff and the asker."""
    page = questions.question_page(current_user, question_id, count_view=count_view, with_related=False)
    question = page["question"]
    schema = QuestionDetailStaffOut() if can(current_user, "question.see_asker", question) and question.anonymous \
        else QuestionDetailOut()
    body = schema.dump(question)
    body["answers"] = AnswerOut(many=True).dump(page["answers"])
    response = jsonify(body)
    response.status_code = status
    return response


@blp.get("/questions")
@blp.arguments(QuestionArgs, location="query")
@blp.response(200, page_of(QuestionOut))
def list_questions(args):
    """Visible questions with filters (topic, treatment, answered=yes|no) and sorts (newest, active, helpful)."""
    return questions.list_questions(current_user, **args)


@blp.post("/questions")
@ratelimits.ask
@blp.arguments(QuestionIn)
@blp.response(201, QuestionDetailOut)
@blp.doc(security=AUTH)
def ask(data):
    """Ask a question. `urgent_notice` is true when the text matched a safety red flag: show an urgent-care notice.

    `language` (en or es) is the language the question is written in; left out, it is detected from the text."""
    result = questions.ask_question(actor(), **data)
    return _detail(result.question.id, 201, count_view=False)


@blp.get("/questions/similar")
@blp.arguments(SimilarArgs, location="query")
@blp.response(200, SimilarOut(many=True))
def similar(args):
    """Up to five existing questions similar to a title being typed."""
    return [{"id": h.ref_id, "title": h.title, "url": h.url} for h in questions.similar_questions(args["title"])]


@blp.get("/questions/<int:question_id>")
@blp.response(200, QuestionDetailOut)
def get_question(question_id):
    """A question with its visible answers, reviews and follow-ups."""
    return _detail(question_id)


@blp.put("/questions/<int:question_id>")
@blp.arguments(QuestionEditIn)
@blp.response(200, QuestionDetailOut)
@blp.doc(security=AUTH)
def edit_question(data, question_id):
    """The asker edits their question."""
    questions.edit_question(actor(), question_id=question_id, **data)
    return _detail(question_id, count_view=False)


PHOTO_FORM = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["photos", "alt", "photo_consent"],
    "properties": {
        "photos": {"type": "string", "format": "binary",
                   "description": "One JPEG, PNG or WebP (by default at most 4 MB and 24 megapixels)"},
        "alt": {"type": "string", "minLength": 1, "maxLength": question_photos.MAX_ALT,
                "description": "What the photo shows, for people who cannot see it"},
        "photo_consent": {"type": "boolean", "enum": [True],
                          "description": "I agree to show this photo publicly with my question"}}}}}}


@blp.post("/questions/<int:question_id>/photos")
@ratelimits.photo_uploads
@blp.response(201, QuestionDetailOut)
@blp.doc(security=AUTH, requestBody=PHOTO_FORM)
def add_photo(question_id):
    """Add a photo to your question.

    Up to 4 per question, shown blurred until a reader chooses to see it; EXIF and GPS data are removed and the
    image is saved again. From an account under 7 days old the question then waits for a moderator's approval
    (`awaiting_approval`: hidden from everyone but you and the moderators)."""
    upload = request.files.get("photos")
    chosen = [photos.PhotoUpload(upload.read(), upload.filename or "", request.form.get("alt", ""),
                                          alt_field="alt")] if upload and upload.filename else []
    consent = request.form.get("photo_consent", "").lower() in ("true", "1", "on", "yes")
    question_photos.add_photos(actor(), question_id=question_id, photos_in=chosen, photo_consent=consent)
    return _detail(question_id, 201, count_view=False)


@blp.delete("/questions/<int:question_id>/photos/<photo_id>")
@blp.response(200, QuestionDetailOut)
@blp.doc(security=AUTH)
def remove_photo(question_id, photo_id):
    """Remove a photo from your question (its file is deleted)."""
    question_photos.remove_photo(actor(), question_id=question_id, photo_id=photo_id)
    return _detail(question_id, count_view=False)


@blp.post("/questions/<int:question_id>/answers")
@ratelimits.answer
@blp.arguments(AnswerIn)
@blp.response(201, AnswerOut)
@blp.doc(security=AUTH)
def post_answer(data, question_id):
    """A verified doctor answers (once per question), with a conflict-of-interest disclosure."""
    return answers.post_answer(actor(), question_id=question_id, **data)


@blp.put("/answers/<int:answer_id>")
@blp.arguments(AnswerIn)
@blp.response(200, AnswerOut)
@blp.doc(security=AUTH)
def edit_answer(data, answer_id):
    """The doctor edits their answer."""
    return answers.edit_answer(actor(), answer_id=answer_id, **data)


@blp.post("/answers/<int:answer_id>/accept")
@blp.response(200, AnswerOut)
@blp.doc(security=AUTH)
def accept(answer_id):
    """The asker accepts this answer (moving the mark from any other)."""
    return answers.accept_answer(actor(), answer_id=answer_id)


@blp.post("/answers/<int:answer_id>/helpful")
@blp.response(200, AnswerOut)
@blp.doc(security=AUTH)
def helpful(answer_id):
    """Mark an answer helpful (once; not your own)."""
    return answers.mark_helpful(actor(), answer_id=answer_id)


@blp.post("/answers/<int:answer_id>/reviews")
@blp.arguments(AnswerReviewIn)
@blp.response(201, AnswerReviewOut)
@blp.doc(security=AUTH)
def review(data, answer_id):
    """A verified doctor agrees, or disagrees with a reason."""
    return answers.review_answer(actor(), answer_id=answer_id, **data)


@blp.post("/answers/<int:answer_id>/follow-ups")
@ratelimits.follow_up
@blp.arguments(FollowUpIn)
@blp.response(201, FollowUpOut)
@blp.doc(security=AUTH)
def follow_up(data, answer_id):
    """The asker or the answering doctor adds a follow-up."""
    return answers.add_follow_up(actor(), answer_id=answer_id, **data)


@blp.post("/questions/<int:question_id>/follow")
@blp.response(200, QuestionOut)
@blp.doc(security=AUTH)
def follow(question_id):
    """Follow a question."""
    return questions.follow_question(actor(), question_id=question_id, follow=True)


@blp.delete("/questions/<int:question_id>/follow")
@blp.response(200, QuestionOut)
@blp.doc(security=AUTH)
def unfollow(question_id):
    """Stop following a question."""
    return questions.follow_question(actor(), question_id=question_id, follow=False)


@blp.post("/questions/<int:question_id>/invitations")
@blp.arguments(InviteIn)
@blp.response(201, SimilarOut(many=True))
@blp.doc(security=AUTH)
def invite(data, question_id):
    """The asker invites up to three matching verified doctors (doctor profile ids)."""
    invitations = questions.invite_doctors(actor(), question_id=question_id, **data)
    return [{"id": i.doctor_id, "title": i.doctor.doctor_profile.full_name, "url": ""} for i in invitations]


@blp.get("/search")
@blp.arguments(SearchArgs, location="query")
@blp.response(200, SearchPageOut)
def search_content(args):
    """Search questions (with their answers), patient reviews, reference posts, treatments and topics; a page
    at a time."""
    results = search.search(args.pop("q"), **args)
    return {"items": [{"kind": h.kind, "title": h.title, "url": h.url, "question_id": h.question_id,
                       "snippet": str(h.snippet)} for h in results.hits],
            "next_cursor": results.next_cursor, "total": results.total, "estimated": results.estimated,
            "suggestion": results.suggestion, "corrected_from": results.corrected_from, "partial_match": results.loose}


@blp.get("/doctor/dashboard")
@blp.response(200, page_of(QuestionOut))
@blp.doc(security=AUTH)
def dashboard():
    """For a verified doctor: invitations, then unanswered questions in their topics."""
    board = doctors.dashboard(actor())
    return {"items": board["invited"] + board["unanswered"], "next_cursor": None}
