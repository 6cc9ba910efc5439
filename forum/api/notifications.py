"""API: the current user's notifications and notification settings."""
from flask.views import MethodView
from flask_smorest import Blueprint

from forum.api.auth import AUTH, actor
from forum.schemas.notifications import NotificationOut, NotificationSettingsIn, NotificationSettingsOut, ReadOut
from forum.schemas.common import CursorArgs, page_of
from forum.services import notification_settings, notifications

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


@blp.route("/account/notification-settings")
class NotificationSettings(MethodView):
    @blp.response(200, NotificationSettingsOut)
    @blp.doc(security=AUTH)
    def get(self):
        """How each category of notification reaches you, and how often your digest comes."""
        return notification_settings.settings_of(actor())

    @blp.arguments(NotificationSettingsIn)
    @blp.response(200, NotificationSettingsOut)
    @blp.doc(security=AUTH)
    def put(self, data):
        """Change channels (only the categories given) and/or the digest frequency; all or nothing.
        Locked categories (consultations, account) accept only "email"."""
        return notification_settings.save_settings(actor(), {k: v for k, v in data.items() if v is not None})
