"""Edit history in the API: the kept versions with their word diffs, and the moderators' rollback."""
from marshmallow import Schema, fields

from forum.schemas.common import InputSchema, Text, UtcDateTime


class FieldDiffOut(Schema):
    field = fields.String(attribute="name")
    label = fields.String()
    diff_html = fields.Function(lambda d: str(d.html), metadata={
        "description": "The field's words before and after the edit as escaped HTML: removed words in <del>, "
                       "added ones in <ins>"})


class RevisionOut(Schema):
    """One edit, newest first: the version it replaced (`previous`), who made it and when."""

    id = fields.Integer(attribute="revision.id")
    number = fields.Integer(attribute="revision.number")
    subject_type = fields.String(attribute="revision.subject_type",
                                 metadata={"description": "question, answer, article or treatment"})
    subject_id = fields.Integer(attribute="revision.subject_id")
    created_at = UtcDateTime(attribute="revision.created_at")
    editor = fields.String(metadata={"description": "Who edited, as shown on the history page"})
    previous = fields.Dict(attribute="revision.snapshot", metadata={"description": "The version this edit replaced"})
    rollback_to = fields.Integer(attribute="revision.rollback_to", allow_none=True, metadata={
        "description": "For a moderator's rollback: the revision whose earlier version was restored"})
    reason = fields.String(attribute="revision.reason", allow_none=True)
    changes = fields.List(fields.Nested(FieldDiffOut), attribute="diffs")


class RollbackIn(InputSchema):
    reason = Text(max_len=500, metadata={"description": "Why (shown in the history and the moderation log)"})
