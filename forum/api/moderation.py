"""API: the moderators' doctor-application queue, decisions and log."""
from flask_smorest import Blueprint

from forum.api.auth import AUTH, actor
from forum.schemas.accounts import DoctorApplicationOut, DoctorDecisionIn
from forum.schemas.moderation import LogEntryOut
from forum.schemas.common import CursorArgs, page_of
from forum.services import moderation

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
@blp.arguments(CursorArgs, location="query")
@blp.response(200, page_of(LogEntryOut))
@blp.doc(security=AUTH)
def log(args):
    """The append-only moderation log, newest first."""
    return moderation.moderation_log(actor(), cursor=args["cursor"], limit=args["limit"])
