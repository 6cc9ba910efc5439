"""Moderation schemas: flags, moderator actions, user actions, log filters, and their output."""
from marshmallow import Schema, fields, validate

from forum.models import FlagReason, FlagTarget
from forum.schemas.common import ArgsSchema, Id, InputSchema, Text, UtcDateTime

CONTENT_ACTIONS = ["hide", "unhide", "delete", "restore", "lock", "unlock", "close_duplicate", "reopen", "edit",
                   "dismiss", "suspend_verification", "restore_verification", "approve"]


class FlagIn(InputSchema):
    target_type = fields.Enum(FlagTarget, by_value=True, required=True)
    target_id = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{1,40}$"))
    reason = fields.Enum(FlagReason, by_value=True, required=True)
    note = Text(max_len=500, required=False)


class ModerationActionIn(InputSchema):
    """Every moderator action needs a reason; some need more (a duplicate's original, edited text)."""

    reason = Text(min_len=3, max_len=500)
    duplicate_of_id = Id(load_default=None, allow_none=True)
    # Optional, but when given held to the same bounds as the author's own text (Text() drops
    # min_len for optional fields).
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=15, max=150))
    body = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=2, max=20_000))


class UserActionIn(InputSchema):
    reason = Text(min_len=3, max_len=500)
    days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=3650))
    # ban: also remove all of this user's posts; restore: bring back the posts a ban removed
    remove_posts = fields.Boolean(load_default=False)
    restore_posts = fields.Boolean(load_default=False)


class LogArgs(ArgsSchema):
    actor_id = Id(load_default=None)
    action = fields.String(load_default=None, validate=validate.Length(max=40))
    target_type = fields.String(load_default=None, validate=validate.Length(max=30))
    target_id = fields.String(load_default=None, validate=validate.Length(max=40))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class UserSearchArgs(ArgsSchema):
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))
    limit = fields.Integer(load_default=30, validate=validate.Range(min=1, max=100))


# ---- output ----

class LogEntryOut(Schema):
    id = fields.Integer()
    actor_id = fields.Integer(allow_none=True)
    action = fields.String()
    target_type = fields.String()
    target_id = fields.String()
    target_label = fields.String(attribute="shown_label")
    reason = fields.String()
    created_at = UtcDateTime()


class FlagOut(Schema):
    id = fields.Integer()
    target_type = fields.String()
    target_id = fields.String()
    reason = fields.String()
    note = fields.String(allow_none=True)
    status = fields.String()
    created_at = UtcDateTime()
    weight = fields.Float(metadata={"description": "What this flag counts toward the auto-hide: 1 from "
                                                   "trusted reporters, less from new accounts"})


class FlaggedItemOut(Schema):
    target_type = fields.String()
    target_id = fields.String()
    hidden = fields.Function(lambda i: bool(getattr(i.target, "hidden", False)))
    weight = fields.Function(lambda i: i.tally.score, metadata={
        "description": "The open flags' weight toward the auto-hide (untrusted flags capped)"})
    flags = fields.List(fields.Nested(FlagOut))


class UserAdminOut(Schema):
    """A user as moderators see them (never the password hash)."""

    id = fields.Integer()
    email = fields.String()
    display_name = fields.String()
    role = fields.String()
    status = fields.String()
    suspended_until = UtcDateTime(allow_none=True)
    created_at = UtcDateTime()
    is_verified_doctor = fields.Boolean()


class ModeratedOut(Schema):
    target_type = fields.String()
    target_id = fields.String()
    message = fields.String()
