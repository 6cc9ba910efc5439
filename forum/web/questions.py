"""Question pages: browse, ask, the question page with answers, follow-ups, votes, reviews."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum import ratelimits
from forum.errors import Conflict, Invalid
from forum.extensions import csrf
from forum.i18n import _
from forum.permissions import can
from forum.schemas.qa import AnswerIn, AnswerReviewIn, FollowUpIn, InviteIn, QuestionArgs, QuestionIn
from forum.services import answers, moderation_trust, photos, question_photos, questions, reference, triage
from forum.web import caching
from forum.web.forms import load_args, load_form
from forum.web.hosts import absolute_url
from forum.web.language_links import kept_language

bp = Blueprint("questions", __name__)


def _show(question_id, status=200, page=None, **extra):
    page = page or questions.question_page(current_user, question_id, count_view=False)
    return render_template("questions/show.html", **page, errors=extra.pop("errors", {}), forms=extra.pop("forms", {}),
                           following=questions.is_following(current_user, page["question"]),
                           candidates=_candidates(page["question"]), urgent_notice=triage.urgent_notice(),
                           jsonld=_qa_page_jsonld(page["question"], page["answers"])), status


def _qa_page_jsonld(question, answers_) -> dict:
    """schema.org QAPage; an anonymous asker is never named."""
    url = absolute_url("questions.show", question_id=question.id, slug=question.slug)

    def answer_ld(a):
        doctor = a.author.doctor_profile if a.author and a.author.doctor_profile else None
        return {"@type": "Answer", "text": a.body, "upvoteCount": a.helpful_count, "url": f"{url}#answer-{a.id}",
                "dateCreated": a.created_at.isoformat() + "Z",
                "author": {"@type": "Person", "name": doctor.full_name if doctor else _("Doctor")}}
    asker = question.author.display_name if question.author and not question.anonymous else _("Anonymous member")
    main = {"@type": "Question", "name": question.title, "text": question.body, "answerCount": len(answers_),
            "inLanguage": question.language, "dateCreated": question.created_at.isoformat() + "Z",
            "author": {"@type": "Person", "name": asker}}
    accepted = [a for a in answers_ if a.accepted]
    if accepted:
        main["acceptedAnswer"] = answer_ld(accepted[0])
    main["suggestedAnswer"] = [answer_ld(a) for a in answers_ if not a.accepted]
    return {"@context": "https://schema.org", "@type": "QAPage", "mainEntity": main}


def _candidates(question):
    return questions.invite_candidates(question) if can(current_user, "question.invite", question) else []


def _form_page(question=None, status=200, form=None, errors=None, photos_chosen=False):
    return render_template("questions/form.html", question=question, form=form or {}, errors=errors or {},
                           topics=reference.list_topics(), treatments=reference.list_treatments(),
                           max_photos=question_photos.MAX_PHOTOS, photos_chosen=photos_chosen,
                           photos_held=moderation_trust.is_new_account(current_user)), status


def _photo_input(editing: bool = False) -> dict:
    """The form's photo slots: each chosen file with the description typed beside it, the
    consent box and (editing) the photos ticked for removal."""
    chosen = [photos.PhotoUpload(f.read(), f.filename or "", request.form.get(f"photo_alt_{n}", ""),
                                          alt_field=f"photo_alt_{n}")
              for n, f in enumerate(request.files.getlist("photos"), start=1) if f and f.filename]
    values = {"photos": chosen, "photo_consent": bool(request.form.get("photo_consent"))}
    return {**values, "remove_photo_ids": request.form.getlist("remove_photos")} if editing else values


def _refused(question, errors: dict, photo_in: dict):
    """The form again, with the photo checks' messages beside those of the text."""
    kept = len(question.photos) - len(set(photo_in.get("remove_photo_ids", ()))) if question else 0
    photo_errors = question_photos.input_errors(photo_in["photos"], photo_in["photo_consent"], max(kept, 0))
    return _form_page(question, form=request.form, errors={**photo_errors, **errors}, status=422,
                      photos_chosen=bool(photo_in["photos"]))


@bp.get("/questions")
def index():
    args = load_args(QuestionArgs())
    page = questions.list_questions(current_user, **args)
    return render_template("questions/index.html", page=page, args=args, topics=reference.list_topics(),
                           treatments=reference.list_treatments())


@bp.route("/questions/ask", methods=["GET", "POST"])
@csrf.exempt  # checked below, once photo_uploads has raised the body limit (1 MB site-wide) for photos
@login_required
@ratelimits.ask
@ratelimits.photo_uploads
def ask():
    if request.method == "GET":
        questions.check_may_ask(current_user)
        return _form_page()
    csrf.protect()
    data, errors = load_form(QuestionIn())
    photo_in = _photo_input()
    if not errors:
        try:
            result = questions.ask_question(current_user, **data, **photo_in)  # the page shows any urgent notice
            return redirect(url_for("questions.show", question_id=result.question.id, slug=result.question.slug), 303)
        except Invalid as e:
            errors = e.fields
    return _refused(None, errors, photo_in)


@bp.get("/questions/<int:question_id>", defaults={"slug": ""})
@bp.get("/questions/<int:question_id>/<slug>")
def show(question_id, slug):
    page = questions.question_page(current_user, question_id, count_view=False)
    if slug != page["question"].slug:
        return redirect(url_for("questions.show", question_id=question_id, slug=page["question"].slug,
                                **kept_language()), 301)
    questions.record_view(question_id)  # buffered; reading never writes to the database
    return _show(question_id, page=page)


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@csrf.exempt  # checked below, once photo_uploads has raised the body limit (1 MB site-wide) for photos
@login_required
@ratelimits.photo_uploads
def edit(question_id):
    question = questions.get_question(current_user, question_id)
    if request.method == "GET":
        return _form_page(question, form=questions.edit_form_values(current_user, question))
    csrf.protect()
    data, errors = load_form(QuestionIn())
    photo_in = _photo_input(editing=True)
    if not errors:
        try:
            questions.edit_question(current_user, question_id=question_id, **data, **photo_in)
            return redirect(url_for("questions.show", question_id=question_id, slug=question.slug), 303)
        except Invalid as e:
            errors = e.fields
    return _refused(question, errors, photo_in)


@bp.get("/questions/<int:question_id>/photos/<photo_id>")
def photo(question_id, photo_id):
    return caching.photo_response(*question_photos.photo_file(current_user, question_id, photo_id))


@bp.post("/questions/<int:question_id>/answers")
@login_required
@ratelimits.answer
def answer(question_id):
    data, errors = load_form(AnswerIn())
    status = 422
    if not errors:
        try:
            posted = answers.post_answer(current_user, question_id=question_id, **data)
            return redirect(url_for("questions.show", question_id=question_id, slug=posted.question.slug,
                                    _anchor=f"answer-{posted.id}"), 303)
        except (Invalid, Conflict) as e:  # a second answer is a 409, shown on the page like a field error
            errors, status = e.fields or {"_schema": [e.message]}, e.status
    return _show(question_id, status, errors={"answer": errors}, forms={"answer": request.form})


@bp.route("/answers/<int:answer_id>/edit", methods=["GET", "POST"])
@login_required
def edit_answer(answer_id):
    answer = answers.answer_for_edit(current_user, answer_id)
    if request.method == "GET":
        form = {"body": answer.body, "offers_treatment": answer.offers_treatment, "industry_ties": answer.industry_ties}
        return render_template("questions/answer_form.html", answer=answer, form=form, errors={})
    data, errors = load_form(AnswerIn())
    if not errors:
        answers.edit_answer(current_user, answer_id=answer_id, **data)
        return redirect(url_for("questions.show", question_id=answer.question_id, slug=answer.question.slug,
                                _anchor=f"answer-{answer_id}"), 303)
    return render_template("questions/answer_form.html", answer=answer, form=request.form, errors=errors), 422


@bp.post("/answers/<int:answer_id>/<any(accept, helpful):action>")
@login_required
def vote(answer_id, action):
    answer = answers.get_answer(current_user, answer_id)
    try:
        (answers.accept_answer if action == "accept" else answers.mark_helpful)(current_user, answer_id=answer_id)
        flash(_("Answer accepted.") if action == "accept" else _("Marked helpful. Thank you."), "success")
    except Conflict as e:
        flash(e.message, "error")
    return redirect(url_for("questions.show", question_id=answer.question_id, slug=answer.question.slug,
                            _anchor=f"answer-{answer_id}"), 303)


@bp.post("/answers/<int:answer_id>/review")
@login_required
def review(answer_id):
    answer = answers.get_answer(current_user, answer_id)
    data, errors = load_form(AnswerReviewIn())
    if not errors:
        answers.review_answer(current_user, answer_id=answer_id, **data)
        flash(_("Your review is shown with the answer."), "success")
        return redirect(url_for("questions.show", question_id=answer.question_id, slug=answer.question.slug,
                                _anchor=f"answer-{answer_id}"), 303)
    return _show(answer.question_id, 422, errors={f"review-{answer_id}": errors},
                 forms={f"review-{answer_id}": request.form})


@bp.post("/answers/<int:answer_id>/follow-ups")
@login_required
@ratelimits.follow_up
def follow_up(answer_id):
    answer = answers.get_answer(current_user, answer_id)
    data, errors = load_form(FollowUpIn())
    if not errors:
        answers.add_follow_up(current_user, answer_id=answer_id, **data)
        return redirect(url_for("questions.show", question_id=answer.question_id, slug=answer.question.slug,
                                _anchor=f"answer-{answer_id}"), 303)
    return _show(answer.question_id, 422, errors={f"follow-up-{answer_id}": errors},
                 forms={f"follow-up-{answer_id}": request.form})


@bp.post("/questions/<int:question_id>/<any(follow, unfollow):action>")
@login_required
def follow(question_id, action):
    question = questions.follow_question(current_user, question_id=question_id, follow=action == "follow")
    flash(_("You follow this question.") if action == "follow" else _("You no longer follow this question."),
          "success")
    return redirect(url_for("questions.show", question_id=question_id, slug=question.slug), 303)


@bp.post("/questions/<int:question_id>/invite")
@login_required
def invite(question_id):
    data, errors = load_form(InviteIn())
    if not errors:
        try:
            questions.invite_doctors(current_user, question_id=question_id, **data)
            flash(_("Invitations sent."), "success")
            question = questions.get_question(current_user, question_id)
            return redirect(url_for("questions.show", question_id=question_id, slug=question.slug), 303)
        except Invalid as e:
            errors = e.fields
    return _show(question_id, 422, errors={"invite": errors})
