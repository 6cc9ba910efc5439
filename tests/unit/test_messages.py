"""The one mapping from marshmallow's wording to plain sentences for people (forum.schemas.messages)."""
import pytest
from marshmallow import Schema, ValidationError, fields, validate

from forum.schemas.messages import plain_errors


class Sample(Schema):
    email = fields.Email(required=True)
    display_name = fields.String(required=True, validate=validate.Length(min=2, max=50))
    bio = fields.String(validate=validate.Length(max=10))
    age = fields.Integer(validate=validate.Range(min=18, max=120))
    colour = fields.String(required=True, validate=validate.OneOf(["red", "blue"]))
    tags = fields.List(fields.String(validate=validate.Length(max=3)), validate=validate.Length(max=2))
    nickname = fields.String(required=True, metadata={"label": "the name friends use"})
    motto = fields.String(validate=validate.Regexp("^[a-z]+$", error="Use lower-case letters only."))


@pytest.mark.parametrize("data, field, message", [
    ({}, "email", "Enter your e-mail address"),
    ({"email": "nope"}, "email", "Enter an e-mail address like name@example.com"),
    ({}, "display_name", "Enter a display name"),
    ({"display_name": "A"}, "display_name", "Use between 2 and 50 characters"),
    ({"bio": "x" * 11}, "bio", "Use at most 10 characters"),
    ({"age": "old"}, "age", "Enter a whole number"),
    ({"age": 7}, "age", "Enter a number from 18 to 120"),
    ({}, "colour", "Choose your colour"),
    ({"colour": "green"}, "colour", "Choose one of the options"),
    ({"tags": ["a", "b", "c"]}, "tags", "Choose at most 2 options"),
    ({"tags": ["long", "okay"]}, "tags", "Use at most 3 characters"),
    ({}, "nickname", "Enter the name friends use"),
    ({"motto": "Hi!"}, "motto", "Use lower-case letters only."),  # our own words pass through
])
def test_marshmallow_messages_become_plain_sentences(data, field, message):
    schema = Sample()
    with pytest.raises(ValidationError) as caught:
        schema.load(data)
    assert plain_errors(caught.value.messages, schema.fields)[field] == [message]
