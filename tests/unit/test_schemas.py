"""Input schemas: trimming, raw passwords, control characters, unknown fields, decision rules."""
from datetime import date

import pytest
from marshmallow import ValidationError, fields

from forum.schemas.accounts import DoctorApplicationIn, DoctorDecisionIn, LoginIn, PasswordChangeIn, RegisterIn
from forum.schemas.common import CursorArgs, InputSchema
from tests.factories import PASSWORD, application_data

REGISTER = {"email": "member@example.org", "display_name": "Member", "password": PASSWORD, "confirm_adult": True}


class NoteIn(InputSchema):
    title = fields.String(required=True)
    tags = fields.List(fields.String(), load_default=list)


def errors_of(schema, data) -> dict:
    with pytest.raises(ValidationError) as caught:
        schema.load(data)
    return caught.value.messages


def test_strings_are_trimmed_but_passwords_are_kept_as_typed():
    password = "  spaced pass phrase\t "
    data = RegisterIn().load({**REGISTER, "email": "  member@example.org\n", "display_name": "\u00a0 Member  ",
                              "password": password})
    assert data["email"] == "member@example.org"
    assert data["display_name"] == "Member"
    assert data["password"] == password


@pytest.mark.parametrize("schema", [LoginIn(), PasswordChangeIn()])
def test_every_password_field_is_raw(schema):
    password = " " + PASSWORD + " "
    data = {name: password for name in schema.RAW_FIELDS} | ({"email": " a@b.c "} if "email" in schema.fields else {})
    loaded = schema.load(data)
    assert all(loaded[name] == password for name in schema.RAW_FIELDS)


def test_strings_inside_lists_are_trimmed_too():
    assert NoteIn().load({"title": " t ", "tags": [" a ", "b "]}) == {"title": "t", "tags": ["a", "b"]}


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f"])
def test_control_characters_are_refused(char):
    assert "display_name" in errors_of(RegisterIn(), {**REGISTER, "display_name": f"Mem{char}ber"})
    assert "password" in errors_of(RegisterIn(), {**REGISTER, "password": PASSWORD + char})
    assert "tags" in errors_of(NoteIn(), {"title": "t", "tags": ["ok", f"bad{char}"]})


@pytest.mark.parametrize("char", ["\t", "\n", "\r\n"])
def test_tabs_and_newlines_are_allowed_inside_text(char):
    data = DoctorApplicationIn().load(application_data(bio=f"First line.{char}Second line."))
    assert data["bio"] == f"First line.{char}Second line."


@pytest.mark.parametrize("schema, data", [
    (RegisterIn(), {**REGISTER, "role": "admin"}),
    (RegisterIn(), {**REGISTER, "is_verified_doctor": True}),
    (DoctorApplicationIn(), {**application_data(), "status": "verified"}),
    (DoctorDecisionIn(), {"decision": "reject", "reason": "Not found on the register.", "decided_by_id": 1}),
    (CursorArgs(), {"limit": 5, "offset": 10}),
])
def test_unknown_fields_raise(schema, data):
    unknown = (set(data) - set(schema.fields)).pop()
    assert unknown in errors_of(schema, data)


def test_a_non_object_body_is_refused_not_crashed_on():
    for body in (["a"], "text", 3, None):
        errors_of(RegisterIn(), body)


@pytest.mark.parametrize(("data", "fields_in_error"), [
    ({}, {"license_source", "license_expires_on"}),
    ({"license_expires_on": "2031-05-01"}, {"license_source"}),
    ({"license_source": "State board register"}, {"license_expires_on"}),
    ({"license_source": "   ", "license_expires_on": "2031-05-01"}, {"license_source"}),
    ({"license_source": None, "license_expires_on": None}, {"license_source", "license_expires_on"}),
])
def test_verifying_requires_the_license_source_and_expiry(data, fields_in_error):
    messages = errors_of(DoctorDecisionIn(), {"decision": "verify", "reason": "Checked the register.", **data})
    assert set(messages) == fields_in_error


def test_a_complete_verification_loads_with_a_date():
    data = DoctorDecisionIn().load({"decision": "verify", "reason": "Checked the register.",
                                    "license_source": " State board register ", "license_expires_on": "2031-05-01"})
    assert data["license_source"] == "State board register"
    assert data["license_expires_on"] == date(2031, 5, 1)


def test_rejecting_needs_only_a_reason():
    data = DoctorDecisionIn().load({"decision": "reject", "reason": "Unknown license number."})
    assert data["license_source"] is None and data["license_expires_on"] is None
    assert "reason" in errors_of(DoctorDecisionIn(), {"decision": "reject"})
    assert "reason" in errors_of(DoctorDecisionIn(), {"decision": "reject", "reason": "  "})


@pytest.mark.parametrize(("limit", "ok"), [(1, True), (100, True), (0, False), (101, False), (-1, False)])
def test_cursor_args_cap_the_page_size(limit, ok):
    if ok:
        assert CursorArgs().load({"limit": limit})["limit"] == limit
    else:
        assert "limit" in errors_of(CursorArgs(), {"limit": limit})
