"""Notification output schemas."""
from marshmallow import Schema, fields

from forum.schemas.common import UtcDateTime


class NotificationOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    message = fields.String()
    link = fields.String(allow_none=True)
    created_at = UtcDateTime()
    read = fields.Function(lambda n: n.read_at is not None)


class ReadOut(Schema):
    marked_read = fields.Integer()
