"""Notification output schemas."""
from marshmallow import Schema, fields, validate

from forum.schemas.common import InputSchema, UtcDateTime


class NotificationOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    message = fields.String()
    link = fields.String(allow_none=True)
    created_at = UtcDateTime()
    read = fields.Function(lambda n: n.read_at is not None)


class ReadOut(Schema):
    marked_read = fields.Integer()


class NotificationSettingsIn(InputSchema):
    """Any of the two: the categories whose channel changes, and/or the digest frequency."""
    channels = fields.Dict(keys=fields.String(validate=validate.Length(max=40)),
                           values=fields.String(validate=validate.Length(max=20)), load_default=None, metadata={
                               "description": "category -> email | digest | in_app | off (locked categories: email)"})
    frequency = fields.String(load_default=None, validate=validate.Length(max=20),
                              metadata={"description": "daily | weekly | never"})


class NotificationSettingsOut(Schema):
    channels = fields.Dict(keys=fields.String(), values=fields.String(),
                           metadata={"description": "category -> email | digest | in_app | off"})
    frequency = fields.String(metadata={"description": "daily | weekly | never"})
    locked = fields.List(fields.String(), metadata={"description": "categories that always e-mail"})
