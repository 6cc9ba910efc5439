"""Reference pages: topics, treatments, reference posts, sitemap; editing for moderators."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forum.errors import Conflict, Invalid
from forum.i18n import _
from forum.schemas.reference import ArticleIn, ArticleReviewIn, EditorialActionIn, TopicIn, TreatmentIn
from forum.services import article_questions, doctors, medical_reviews, patient_costs, questions, reference, site
from forum.web.forms import load_form
from forum.web.language_links import register_language_links

bp = Blueprint("reference", __name__)
bp.record_once(lambda state: register_language_links(state.app))


@bp.get("/topics")
def topics():
    return render_template("reference/topics.html", topics=reference.list_topics())


@bp.get("/topics/<slug>")
def topic(slug):
    topic = reference.get_topic(slug)
    return render_template("reference/topic.html", topic=topic,
                           articles=reference.articles_about(current_user, topic=topic),
                           questions=questions.list_questions(current_user, topic=slug, limit=10),
                           median_hours=questions.median_first_answer_hours(topic),
                           answering=doctors.answering_on(topic_id=topic.id))


@bp.get("/treatments")
def treatments():
    return render_template("reference/treatments.html", treatments=reference.list_treatments())


@bp.get("/treatments/<slug>")
def treatment(slug):
    treatment = reference.get_treatment(slug)
    return render_template("reference/treatment.html", treatment=treatment,
                           articles=reference.articles_about(current_user, treatment=treatment),
                           questions=questions.list_questions(current_user, treatment=slug, limit=10),
                           answering=doctors.answering_on(treatment_id=treatment.id),
                           patient_costs=patient_costs.patient_costs(treatment.id))


@bp.get("/articles")
def articles():
    page = reference.list_articles(current_user, cursor=request.args.get("cursor"))
    return render_template("reference/articles.html", page=page)


@bp.get("/articles/<slug>")
def article(slug):
    article = reference.get_article(current_user, slug)
    return render_template("reference/article.html", article=article,
                           answered=article_questions.answered_questions(article))


@bp.get("/sitemap.xml")
def sitemap():
    xml = render_template("reference/sitemap.xml", entries=site.sitemap_entries())
    return Response(xml, mimetype="application/xml")


# ---- editing (moderators); one form view per kind, create and edit share it ----

EDITABLE = {
    "articles": (ArticleIn, reference.save_article, "reference.article"),
    "topics": (TopicIn, reference.save_topic, "reference.topic"),
    "treatments": (TreatmentIn, reference.save_treatment, "reference.treatment"),
}


@bp.get("/mod/<any(articles, topics, treatments):kind>/new", defaults={"slug": None})
@bp.get("/mod/<any(articles, topics, treatments):kind>/<slug>/edit")
@login_required
def edit_form(kind, slug):
    context = reference.editor_context(current_user, kind, slug)
    return render_template("reference/form.html", kind=kind, slug=slug, errors={}, **context)


@bp.post("/mod/<any(articles, topics, treatments):kind>/new", defaults={"slug": None})
@bp.post("/mod/<any(articles, topics, treatments):kind>/<slug>/edit")
@login_required
def save(kind, slug):
    schema, save_fn, show_endpoint = EDITABLE[kind]
    data, errors = load_form(schema())
    if not errors:
        try:
            obj = save_fn(current_user, slug=slug, data=data)
            flash(_("Saved."), "success")
            return redirect(url_for(show_endpoint, slug=obj.slug), 303)
        except Invalid as e:
            errors = e.fields or {"_schema": [e.message]}
    context = reference.editor_context(current_user, kind, slug, form=request.form)
    return render_template("reference/form.html", kind=kind, slug=slug, errors=errors, **context), 422


@bp.post("/mod/articles/<slug>/<any(publish, unpublish):action>")
@login_required
def publish(slug, action):
    data, errors = load_form(EditorialActionIn())
    if errors:
        flash(_("The reason must be 3 to 500 characters."), "error")
    else:
        reference.set_article_published(current_user, slug=slug, published=action == "publish", **data)
        flash(_("Published.") if action == "publish" else _("Moved back to drafts."), "success")
    return redirect(url_for("reference.article", slug=slug), 303)


@bp.get("/mod/review-due")
@login_required
def review_due():
    return _review_due_page()


def _review_due_page(status: int = 200):
    articles = reference.review_due(current_user)
    return render_template("reference/review_due.html", articles=articles, doctors=doctors.reviewer_choices(),
                           assignments=medical_reviews.open_assignments([a.id for a in articles])), status


@bp.post("/mod/articles/<slug>/review")
@login_required
def assign_reviewer(slug):
    data, errors = load_form(ArticleReviewIn())
    if errors:  # refused like any other write for non-staff: review_due() checks "reference.edit"
        flash(_("Choose a verified doctor as reviewer."), "error")
        return _review_due_page(422)
    try:
        review = medical_reviews.assign_reviewer(current_user, slug=slug, **data)
    except (Invalid, Conflict) as refused:
        flash(refused.message, "error")
        return _review_due_page(refused.status)
    flash(_("%(doctor)s is asked to review it; the byline appears once they confirm.", doctor=review.doctor.full_name),
          "success")
    return redirect(url_for("reference.review_due"), 303)
