"""Following output schemas: what a member follows."""
from marshmallow import Schema, fields


class SubjectOut(Schema):
    id = fields.Integer()
    name = fields.String()
    url = fields.String(metadata={"description": "The subject's page on the site"})


class FollowingOut(Schema):
    topics = fields.List(fields.Nested(SubjectOut))
    treatments = fields.List(fields.Nested(SubjectOut))
    doctors = fields.List(fields.Nested(SubjectOut))
