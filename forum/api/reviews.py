"""API: reviews of doctors, their photos and the doctor's reply; your own reviews."""
from flask import request
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import ValidationError

from forum import ratelimits
from forum.api.auth import AUTH, actor
from forum.errors import Invalid, NotFound
from forum.i18n import _
from forum.models import Review
from forum.schemas.reviews import (
    MyReviewOut, ReplyIn, ReviewArgs, ReviewEditIn, ReviewIn, ReviewOut, ReviewPageOut, ReviewPhotoIn,
)
from forum.services import photos, review_queries, reviews

blp = Blueprint("api_reviews", __name__, description="Reviews of doctors by members, with photos and the "
                                                    "doctor's reply")

PAGE_FIELDS = ("items", "page", "per_page", "total", "pages", "has_next", "has_prev")
PHOTO_FORM = {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["photos", "alt"],
    "properties": {
        "photos": {"type": "string", "format": "binary", "description": "A JPEG, PNG or WebP photo (by default at most "
                                                                      "4 MB and 24 megapixels); metadata is removed"},
        "alt": {"type": "string", "minLength": 3, "maxLength": 300, "description": "What the photo shows"},
        "photo_consent": {"type": "boolean", "description": "Give the public-photo consent now, if the review "
                                                            "does not have it yet"}}}}}}


def _as_edit(review: Review, changes: dict) -> dict:
    """The review's current values with `changes` over them: edits through the API may send only
    what changes, the service always gets a whole review."""
    return {**review_queries.values_of(review), **changes}


def _photo_upload() -> tuple[photos.PhotoUpload, dict]:
    """The multipart upload: one file in the part `photos` (as for consultations), and the form fields
    `alt` and `photo_consent`."""
    try:
        form = ReviewPhotoIn().load(request.form.to_dict())
    except ValidationError as err:
        raise Invalid(fields=err.messages) from None
    files = [f for f in request.files.getlist("photos") if f and f.filename]
    if len(files) != 1:
        raise Invalid(fields=dict(photos=[_("Attach one photo as the multipart part %(part)s.", part="`photos`")]))
    upload = files[0]
    changes = {"photo_consent": True} if form["photo_consent"] else {}
    return photos.PhotoUpload(raw=upload.read(), filename=upload.filename, alt=form["alt"]), changes


@blp.get("/doctors/<int:doctor_id>/reviews")
@blp.arguments(ReviewArgs, location="query")
@blp.response(200, ReviewPageOut)
def doctor_reviews(args, doctor_id):
    """A doctor's published reviews, newest first, a page at a time, with the rating summary of all of them."""
    page = review_queries.doctor_reviews(current_user, doctor_id, **args)
    return {**{name: getattr(page, name) for name in PAGE_FIELDS}, "summary": review_queries.doctor_rating(doctor_id)}


@blp.post("/doctors/<int:doctor_id>/reviews")
@blp.arguments(ReviewIn)
@blp.response(201, ReviewOut)
@blp.doc(security=AUTH)
def create(data, doctor_id):
    """Review a doctor for one treatment (one review per treatment; not yourself). Reviews from accounts under
    7 days old wait for a moderator (`status: pending`). Add photos with POST /reviews/{id}/photos."""
    return reviews.create_review(actor(), doctor_id, data)


@blp.get("/reviews/<int:review_id>")
@blp.response(200, ReviewOut)
def get(review_id):
    """A published review; a pending or hidden one only for its author and staff (404 for anyone else)."""
    return review_queries.get_review(current_user, review_id)


@blp.patch("/reviews/<int:review_id>")
@blp.arguments(ReviewEditIn)
@blp.response(200, ReviewOut)
@blp.doc(security=AUTH)
def edit(data, review_id):
    """The author edits their review: send the fields that change. A hidden review stays hidden."""
    user = actor()
    return reviews.edit_review(user, review_id, _as_edit(review_queries.get_review(user, review_id), data))


@blp.delete("/reviews/<int:review_id>")
@blp.response(204)
@blp.doc(security=AUTH)
def delete(review_id):
    """The author deletes their review, with its photos (moderators hide a review instead, with a reason)."""
    reviews.delete_review(actor(), review_id)


@blp.put("/reviews/<int:review_id>/reply")
@blp.arguments(ReplyIn)
@blp.response(200, ReviewOut)
@blp.doc(security=AUTH)
def reply(data, review_id):
    """The reviewed doctor's one public reply; sending it again replaces it."""
    return reviews.reply_to_review(actor(), review_id, data["body"])


@blp.post("/reviews/<int:review_id>/photos")
@ratelimits.photo_uploads
@blp.response(201, ReviewOut)
@blp.doc(security=AUTH, requestBody=PHOTO_FORM)
def add_photo(review_id):
    """The author adds a photo (at most 4 per review) with its alt text, once the review has the public-photo
    consent (or with `photo_consent` true). Sent as multipart/form-data with a bearer token."""
    user = actor()
    upload, changes = _photo_upload()
    data = _as_edit(review_queries.get_review(user, review_id), changes)
    return reviews.edit_review(user, review_id, data, add_photos=[upload])


@blp.delete("/reviews/<int:review_id>/photos/<photo_id>")
@blp.response(200, ReviewOut)
@blp.doc(security=AUTH)
def remove_photo(review_id, photo_id):
    """The author removes one photo of their review."""
    user = actor()
    review = review_queries.get_review(user, review_id)
    if photo_id not in {p.id for p in review.photos}:
        raise NotFound()
    return reviews.edit_review(user, review_id, _as_edit(review, {}), remove_photo_ids=[photo_id])


@blp.get("/me/reviews")
@blp.response(200, MyReviewOut(many=True))
@blp.doc(security=AUTH)
def mine():
    """Your own reviews, whatever their status, with why a moderator hid one."""
    return review_queries.my_reviews(actor())
