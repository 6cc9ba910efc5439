"""Moderation output schemas (flags and actions arrive with issue #5)."""
from marshmallow import Schema, fields


class LogEntryOut(Schema):
    id = fields.Integer()
    actor_id = fields.Integer(allow_none=True)
    action = fields.String()
    target_type = fields.String()
    target_id = fields.String()
    target_label = fields.String()
    reason = fields.String()
    created_at = fields.DateTime()
