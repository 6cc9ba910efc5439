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
    text_shown = fields.Boolean(metadata={"description": "Whether you may see the earlier text (see `previous`)"})
    previous = fields.Dict(allow_none=True, metadata={
        "description": "The version this edit replaced; null when you may not see it: a question's earlier text is "
                       "shown only to its asker and moderators, and any earlier text a moderator's edit replaced "
                       "or came after (usually a redaction) only to the author and moderators"})
    rollback_to = fields.Integer(attribute="revision.rollback_to", allow_none=True, metadata={
        "description": "For a moderator's rollback: the revision whose earlier version was restored"})
    reason = fields.String(attribute="revision.reason", allow_none=True)
    changes = fields.Function(lambda c: FieldDiffOut(many=True).dump(c.diffs) if c.text_shown else None,
                              allow_none=True, metadata={"description": "The word diff per field changed; null "
                                                                        "with `previous`"})


class RollbackIn(InputSchema):
    reason = Text(max_len=500, metadata={"description": "Why (shown in the history and the moderation log)"})
