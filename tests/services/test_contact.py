"""Contact messages: only staff read and close them, and a message is closed once."""
from __future__ import annotations

import pytest

from forum.errors import Conflict, Forbidden, NotFound, TwoFactorRequired
from forum.models import ContactTopic
from forum.services import contact
from tests.factories import make_doctor, make_moderator, make_user


def send(**changes):
    data = {"name": "Sam Example", "email": "Sam@Example.TEST", "topic": "press",
            "message": "A journalist asking how doctors are verified on the site."}
    return contact.send_message(**{**data, **changes})


def test_a_message_waits_oldest_first_until_a_moderator_handles_it(app):
    first, second = send(), send(topic="general")
    moderator = make_moderator()
    assert [m.id for m in contact.open_messages(moderator)] == [first.id, second.id]
    assert first.email == "sam@example.test" and first.topic is ContactTopic.PRESS
    assert contact.open_count(moderator) == 2
    contact.mark_handled(moderator, message_id=first.id)
    assert [m.id for m in contact.open_messages(moderator)] == [second.id]
    assert [m.id for m in contact.recently_handled(moderator)] == [first.id]
    assert first.handled_by_id == moderator.id and contact.open_count(moderator) == 1


def test_a_message_cannot_be_handled_twice_or_when_missing(app):
    message, moderator = send(), make_moderator()
    contact.mark_handled(moderator, message_id=message.id)
    with pytest.raises(Conflict):
        contact.mark_handled(make_moderator(), message_id=message.id)
    with pytest.raises(NotFound):
        contact.mark_handled(moderator, message_id=message.id + 100)


@pytest.mark.parametrize("make_reader", [make_user, make_doctor], ids=["member", "doctor"])
def test_members_and_doctors_can_neither_read_nor_close_messages(app, make_reader):
    message, reader = send(), make_reader()
    for call in (lambda: contact.open_messages(reader), lambda: contact.open_count(reader),
                 lambda: contact.mark_handled(reader, message_id=message.id)):
        with pytest.raises(Forbidden):
            call()
    assert message.handled_at is None


def test_a_moderator_without_two_factor_is_sent_to_enrol_first(app):
    send()
    with pytest.raises(TwoFactorRequired):
        contact.open_messages(make_moderator(two_factor=False))
