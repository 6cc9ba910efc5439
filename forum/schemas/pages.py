"""Trust pages (seed files) and the contact form."""
from marshmallow import fields, validate

from forum.i18n import _l
from forum.models import ContactTopic
from forum.schemas.common import InputSchema
from forum.schemas.messages import Translated

SLUG = validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", error=_l("Use lowercase letters, digits and hyphens."))


class SitePageSeed(InputSchema):
    """A seed/pages/<slug>.md file: TOML front matter plus the Markdown body."""

    slug = fields.String(required=True, validate=[validate.Length(min=2, max=80), SLUG])
    title = fields.String(required=True, validate=validate.Length(min=2, max=150))
    summary = fields.String(required=True, validate=validate.Length(min=10, max=300))
    reviewed_on = fields.Date(required=True)
    body = fields.String(required=True, validate=validate.Length(min=100, max=40_000))


class ContactIn(InputSchema):
    """A message to the moderators. The messages are written for people: the form shows them as they are."""

    name = fields.String(required=True, error_messages={"required": _l("Enter your name.")},
                         validate=validate.Length(min=1, max=100, error=_l("Keep your name under 100 characters.")))
    email = fields.Email(required=True, error_messages={
        "required": _l("Enter your e-mail address, so we can reply."),
        "invalid": Translated(_l("Enter an e-mail address in the form name@example.com."))},
        validate=validate.Length(max=254, error=_l("This e-mail address is too long.")))
    topic = fields.Enum(ContactTopic, by_value=True, required=True, error_messages={
        "required": _l("Choose what your message is about."),
        "unknown": _l("Choose one of the topics in the list.")})
    message = fields.String(required=True, error_messages={"required": _l("Write your message.")},
                            validate=validate.Length(min=10, max=5000,
                                                     error=_l("Write between 10 and 5,000 characters.")))
