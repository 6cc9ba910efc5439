"""API: topics, treatments and reference posts; writes for moderators."""
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from forum.api.auth import AUTH, actor
from forum.schemas.common import CursorArgs, page_of
from forum.schemas.reference import (
    ArticleDetailOut, ArticleIn, ArticleOut, ArticleReviewIn, EditorialActionIn, MedicalReviewDeclineIn,
    MedicalReviewOut, TopicIn, TopicOut, TreatmentDetailOut, TreatmentIn, TreatmentOut,
)
from forum.services import article_questions, medical_reviews, patient_costs, reference

blp = Blueprint("api_reference", __name__, description="Topics, treatments and reference posts")


@blp.route("/topics")
class Topics(MethodView):
    @blp.response(200, TopicOut(many=True))
    def get(self):
        """All topics (a short, bounded list)."""
        return reference.list_topics()

    @blp.arguments(TopicIn)
    @blp.response(201, TopicOut)
    @blp.doc(security=AUTH)
    def post(self, data):
        """Create a topic (moderators)."""
        return reference.save_topic(actor(), data=data)


@blp.route("/topics/<slug>")
class TopicBySlug(MethodView):
    @blp.response(200, TopicOut)
    def get(self, slug):
        """One topic."""
        return reference.get_topic(slug)

    @blp.arguments(TopicIn)
    @blp.response(200, TopicOut)
    @blp.doc(security=AUTH)
    def put(self, data, slug):
        """Replace a topic's fields (moderators)."""
        return reference.save_topic(actor(), slug=slug, data=data)


@blp.route("/treatments")
class Treatments(MethodView):
    @blp.response(200, TreatmentOut(many=True))
    def get(self):
        """All treatments with their facts and sources."""
        return reference.list_treatments()

    @blp.arguments(TreatmentIn)
    @blp.response(201, TreatmentOut)
    @blp.doc(security=AUTH)
    def post(self, data):
        """Create a treatment (moderators)."""
        return reference.save_treatment(actor(), data=data)


class _WithPatientCosts:
    """A treatment as TreatmentDetailOut reads it: its own attributes plus the patients' figures."""

    def __init__(self, treatment, costs):
        self._treatment, self.patient_costs = treatment, costs

    def __getattr__(self, name):
        return getattr(self._treatment, name)


@blp.route("/treatments/<slug>")
class TreatmentBySlug(MethodView):
    @blp.response(200, TreatmentDetailOut)
    def get(self, slug):
        """One treatment with its facts, the sources behind each, and what patients reported paying."""
        treatment = reference.get_treatment(slug)
        return _WithPatientCosts(treatment, patient_costs.patient_costs(treatment.id))

    @blp.arguments(TreatmentIn)
    @blp.response(200, TreatmentOut)
    @blp.doc(security=AUTH)
    def put(self, data, slug):
        """Replace a treatment's fields (moderators)."""
        return reference.save_treatment(actor(), slug=slug, data=data)


class _WithAnsweredQuestions:
    """A post as ArticleDetailOut reads it: its own attributes plus the answered questions on its subjects."""

    def __init__(self, article, answered):
        self._article, self.answered_questions = article, answered

    def __getattr__(self, name):
        return getattr(self._article, name)


@blp.route("/articles")
class Articles(MethodView):
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, page_of(ArticleOut))
    def get(self, args):
        """Published reference posts, newest first (moderators also see drafts)."""
        return reference.list_articles(current_user, cursor=args["cursor"], limit=args["limit"])

    @blp.arguments(ArticleIn)
    @blp.response(201, ArticleOut)
    @blp.doc(security=AUTH)
    def post(self, data):
        """Create a draft post (moderators)."""
        return reference.save_article(actor(), data=data)


@blp.route("/articles/<slug>")
class ArticleBySlug(MethodView):
    @blp.response(200, ArticleDetailOut)
    def get(self, slug):
        """One post with the answered questions on its subjects; drafts are 404 to everyone but moderators."""
        article = reference.get_article(current_user, slug)
        return _WithAnsweredQuestions(article, article_questions.answered_questions(article))

    @blp.arguments(ArticleIn)
    @blp.response(200, ArticleOut)
    @blp.doc(security=AUTH)
    def put(self, data, slug):
        """Replace a post's fields (moderators)."""
        return reference.save_article(actor(), slug=slug, data=data)


@blp.post("/articles/<slug>/publish")
@blp.arguments(EditorialActionIn)
@blp.response(200, ArticleOut)
@blp.doc(security=AUTH)
def publish(data, slug):
    """Publish a draft (moderators); logged."""
    return reference.set_article_published(actor(), slug=slug, published=True, **data)


@blp.post("/articles/<slug>/unpublish")
@blp.arguments(EditorialActionIn)
@blp.response(200, ArticleOut)
@blp.doc(security=AUTH)
def unpublish(data, slug):
    """Move a post back to drafts (moderators); logged."""
    return reference.set_article_published(actor(), slug=slug, published=False, **data)


@blp.post("/articles/<slug>/review")
@blp.arguments(ArticleReviewIn)
@blp.response(201, MedicalReviewOut)
@blp.doc(security=AUTH)
def review(data, slug):
    """Ask a verified doctor to review a post (moderators). The post says "Medically reviewed by" only
    once the doctor confirms; an unanswered earlier assignment is withdrawn."""
    return medical_reviews.assign_reviewer(actor(), slug=slug, **data)


@blp.get("/doctor/medical-reviews")
@blp.response(200, MedicalReviewOut(many=True))
@blp.doc(security=AUTH)
def my_medical_reviews():
    """For a verified doctor: the reference posts they are asked to review, oldest first."""
    return medical_reviews.pending_for(actor())


@blp.post("/doctor/medical-reviews/<int:medical_review_id>/confirm")
@blp.response(200, MedicalReviewOut)
@blp.doc(security=AUTH)
def confirm_medical_review(medical_review_id):
    """The assigned doctor signs off: the post shows "Medically reviewed by" them, dated today."""
    return medical_reviews.confirm(actor(), medical_review_id)


@blp.post("/doctor/medical-reviews/<int:medical_review_id>/decline")
@blp.arguments(MedicalReviewDeclineIn)
@blp.response(200, MedicalReviewOut)
@blp.doc(security=AUTH)
def decline_medical_review(data, medical_review_id):
    """The assigned doctor declines (optional note for the moderators); the post gets no new reviewer."""
    return medical_reviews.decline(actor(), medical_review_id, **data)
