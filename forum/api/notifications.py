"""API: the current user's notifications."""
from flask_smorest import Blueprint

from forum.api.auth import AUTH, actor
from forum.schemas.notifications import NotificationOut, ReadOut
from forum.schemas.common import CursorArgs, page_of
from forum.services import notifications

blp = Blueprint("api_notifications", __name__, description="In-app notifications")


@blp.get("/notifications")
@blp.arguments(CursorArgs, location="query")
@blp.response(200, page_of(NotificationOut))
@blp.doc(security=AUTH)
def list_notifications(args):
    """Your notifications, newest first."""
    return notifications.list_notifications(actor(), cursor=args["cursor"], limit=args["limit"])


@blp.post("/notifications/read")
@blp.response(200, ReadOut)
@blp.doc(security=AUTH)
def mark_read():
    """Mark all your notifications read."""
    return {"marked_read": notifications.mark_all_read(actor())}
