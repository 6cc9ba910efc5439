"""API: following topics, treatments and doctors."""
from flask_smorest import Blueprint

from forum.api.auth import AUTH, actor
from forum.schemas.following import FollowingOut
from forum.services import following

blp = Blueprint("api_following", __name__, description="Following topics, treatments and doctors")
PATH = "/following/<any(topic, treatment, doctor):kind>/<int:subject_id>"


@blp.get("/following")
@blp.response(200, FollowingOut)
@blp.doc(security=AUTH)
def list_following():
    """The topics, treatments and doctors you follow, each list by name."""
    return {f"{kind.value}s": [{"id": t.id, "name": following.subject_name(kind, t),
                                "url": following.subject_url(kind, t)} for t in items]
            for kind, items in following.followed(actor()).items()}


@blp.put(PATH)
@blp.response(204)
@blp.doc(security=AUTH)
def follow(kind, subject_id):
    """Follow a topic, a treatment or a verified doctor (a doctor's id is their profile id). Idempotent."""
    following.follow(actor(), kind, subject_id, on=True)


@blp.delete(PATH)
@blp.response(204)
@blp.doc(security=AUTH)
def unfollow(kind, subject_id):
    """Stop following it. Idempotent."""
    following.follow(actor(), kind, subject_id, on=False)
