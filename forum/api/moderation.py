"""API: flags and every moderator action: content, users, doctor applications, the log."""
from flask_smorest import Blueprint

from forum import ratelimits
from forum.api.auth import AUTH, actor
from forum.schemas.accounts import DoctorApplicationOut, DoctorDecisionIn
from forum.schemas.moderation import (
    FlagIn, FlaggedItemOut, FlagOut, LogArgs, LogEntryOut, ModeratedOut, ModerationActionIn, UserActionIn, UserAdminOut,
    UserSearchArgs,
)
from forum.schemas.common import CursorArgs, page_of
from forum.services import moderation, moderation_content, moderation_users

CONTENT_TARGETS = "question, answer, follow_up, doctor, consultation, review"
blp = Blueprint("api_moderation", __name__, description="Moderator-only: doctor verification and the log")


@blp.get("/mod/doctor-applications")
@blp.arguments(CursorArgs, location="query")
@blp.response(200, page_of(DoctorApplicationOut))
@blp.doc(security=AUTH)
def queue(args):
    """Pending and lapsed doctor applications, oldest first."""
    return moderation.application_queue(actor(), cursor=args["cursor"], limit=args["limit"])


@blp.get("/mod/doctor-applications/<int:profile_id>")
@blp.response(200, DoctorApplicationOut)
@blp.doc(security=AUTH)
def application(profile_id):
    """One application with its credential ledger."""
    return moderation.get_application(actor(), profile_id)


@blp.post("/mod/doctor-applications/<int:profile_id>/decision")
@blp.arguments(DoctorDecisionIn)
@blp.response(200, DoctorApplicationOut)
@blp.doc(security=AUTH)
def decide(data, profile_id):
    """Verify (with the sources checked) or reject, with a reason. Logged; applicant notified."""
    return moderation.decide_doctor_application(actor(), profile_id=profile_id, **data)


@blp.get("/mod/log")
@blp.arguments(LogArgs, location="query")
@blp.response(200, page_of(LogEntryOut))
@blp.doc(security=AUTH)
def log(args):
    """The append-only moderation log, newest first; filter by actor_id, action, target_type, target_id."""
    return moderation.moderation_log(actor(), **args)


@blp.post("/flags")
@ratelimits.flag
@blp.arguments(FlagIn)
@blp.response(201, FlagOut)
@blp.doc(security=AUTH)
def flag(data):
    """Report a question, answer, follow-up, doctor profile, consultation or review (one open flag per item)."""
    return moderation_content.flag_content(actor(), **data)


@blp.get("/mod/flags")
@blp.response(200, FlaggedItemOut(many=True))
@blp.doc(security=AUTH)
def flags():
    """Open flags grouped per item, the longest-waiting first (moderators)."""
    return moderation_content.open_flags(actor())


@blp.post(f"/mod/content/<any({CONTENT_TARGETS}):target_type>/<target_id>/<action>")
@blp.arguments(ModerationActionIn)
@blp.response(200, ModeratedOut)
@blp.doc(security=AUTH)
def act_on_content(data, target_type, target_id, action):
    """A moderator action with a reason: hide, unhide, delete, restore, lock, unlock, close_duplicate
    (duplicate_of_id), reopen, edit (title/body), dismiss, suspend_verification, restore_verification; for a
    review (and a question held for approval) also approve."""
    target = moderation_content.moderate_content(actor(), target_type=target_type, target_id=target_id,
                                                 action=action, **data)
    return {"target_type": target_type, "target_id": str(target.id), "message": f"{action} done and logged"}


@blp.get("/mod/users")
@blp.arguments(UserSearchArgs, location="query")
@blp.response(200, page_of(UserAdminOut))
@blp.doc(security=AUTH)
def users(args):
    """Search users by e-mail or name (moderators)."""
    return moderation_users.search_users(actor(), **args)


@blp.post("/mod/users/<int:user_id>/<any(suspend, ban, restore, promote, demote):action>")
@blp.arguments(UserActionIn)
@blp.response(200, UserAdminOut)
@blp.doc(security=AUTH)
def act_on_user(data, user_id, action):
    """Suspend (days), ban, restore; admins also promote and demote moderators."""
    return moderation_users.moderate_user(actor(), user_id=user_id, action=action, **data)
