"""API: public member profiles; the display name and the e-mail address of your own account."""
from flask_smorest import Blueprint

from forum import ratelimits
from forum.api.auth import AUTH, actor
from forum.i18n import _, _l
from forum.schemas.accounts import DisplayNameIn, EmailChangeIn, EmailVerifyIn, MemberOut, UserOut
from forum.schemas.common import CursorArgs, MessageOut, page_of
from forum.schemas.qa import QuestionOut
from forum.services import email_change, members

blp = Blueprint("api_members", __name__, description="Public member profiles; changing your display name and e-mail")
LINK_SENT = _l("A confirmation link was sent to the new address; the address changes when it is followed. "
               "Your current address was told.")


@blp.get("/members/<int:member_id>")
@blp.response(200, MemberOut)
def get_member(member_id):
    """A member's public profile (never the e-mail); suspended, banned and deleted accounts are 404."""
    return members.get_member(member_id)


@blp.get("/members/<int:member_id>/questions")
@blp.arguments(CursorArgs, location="query")
@blp.response(200, page_of(QuestionOut))
def member_questions(args, member_id):
    """The member's public questions, newest first; questions asked anonymously are never listed."""
    members.get_member(member_id)
    return members.member_questions(member_id, **args)


@blp.post("/account/display-name")
@blp.arguments(DisplayNameIn)
@blp.response(200, UserOut)
@blp.doc(security=AUTH)
def change_display_name(data):
    """Change your display name (the same rule as at registration)."""
    return members.change_display_name(actor(), **data)


@blp.post("/account/email")
@ratelimits.email_change
@blp.arguments(EmailChangeIn)
@blp.response(202, MessageOut)
@blp.doc(security=AUTH)
def request_email_change(data):
    """Ask to change your e-mail address (password, and two-factor code when on). A link goes to
    the new address, a notice to the current one; the same answer whether or not the new address
    is free (a taken address is told so by mail)."""
    email_change.request_email_change(actor(), **data)
    return {"message": str(LINK_SENT)}


@blp.post("/account/email/confirm")
@blp.arguments(EmailVerifyIn)
@blp.response(200, MessageOut)
def confirm_email_change(data):
    """Confirm a new e-mail address with the token from the link (no log-in needed: the token is the proof)."""
    email_change.confirm_email_change(token=data["token"])
    return {"message": _("Your e-mail address was changed.")}
