"""Notification settings: each category's channel and the digest frequency, saved all or nothing;
consultation and account notices always e-mail; notify() does what the settings say."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum import mail
from forum.errors import Invalid
from forum.extensions import db
from forum.models import Channel, DigestFrequency, MailOptOut, Notification, NotificationSetting, OutboxMail
from forum.services import notification_settings, notifications
from tests.factories import make_user


def mails_to(user) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMail).where(OutboxMail.to_address == user.email))


def notes_of(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def test_a_new_member_has_the_defaults():
    user = make_user()
    settings = notification_settings.settings_of(user)
    assert settings["channels"]["my_questions"] is Channel.EMAIL
    assert settings["channels"]["following"] is Channel.DIGEST
    assert settings["channels"]["consultations"] is Channel.EMAIL
    assert settings["frequency"] is DigestFrequency.WEEKLY
    assert set(settings["locked"]) == {"consultations", "account"}


def test_saved_settings_are_loaded_back():
    user = make_user()
    saved = notification_settings.save_settings(user, {"channels": {"my_questions": "digest", "reviews": "off"},
                                                       "frequency": "daily"})
    db.session.expire_all()
    loaded = notification_settings.settings_of(user)
    assert loaded == saved
    assert loaded["channels"]["my_questions"] is Channel.DIGEST and loaded["channels"]["reviews"] is Channel.OFF
    assert loaded["channels"]["follow_ups"] is Channel.EMAIL  # untouched: still the default
    assert loaded["frequency"] is DigestFrequency.DAILY
    notification_settings.save_settings(user, {"channels": {"my_questions": "in_app"}})
    assert notification_settings.settings_of(user)["channels"]["my_questions"] is Channel.IN_APP
    assert notification_settings.digest_frequency(user.id) is DigestFrequency.DAILY


@pytest.mark.parametrize("key", ["consultations", "account"])
def test_locked_categories_cannot_change_and_nothing_else_is_saved(key):
    user = make_user()
    with pytest.raises(Invalid) as refused:
        notification_settings.save_settings(user, {"channels": {key: "off", "reviews": "off"}, "frequency": "never"})
    assert set(refused.value.fields) == {f"channels.{key}"}
    db.session.rollback()
    settings = notification_settings.settings_of(user)
    assert settings["channels"][key] is Channel.EMAIL and settings["channels"]["reviews"] is Channel.EMAIL
    assert settings["frequency"] is DigestFrequency.WEEKLY
    assert db.session.scalar(select(func.count()).select_from(NotificationSetting)) == 0


@pytest.mark.parametrize("data, field", [
    ({"channels": {"my_questions": "sms"}}, "channels.my_questions"),
    ({"channels": {"everything": "off"}}, "channels.everything"),
    ({"frequency": "hourly"}, "frequency"),
])
def test_bad_values_are_refused_with_the_field_named(data, field):
    user = make_user()
    with pytest.raises(Invalid) as refused:
        notification_settings.save_settings(user, data)
    assert field in refused.value.fields
    db.session.rollback()
    assert notification_settings.settings_of(user)["channels"]["my_questions"] is Channel.EMAIL


def test_off_means_no_notification_at_all():
    user = make_user()
    notification_settings.save_settings(user, {"channels": {"my_questions": "off"}})
    assert notifications.notify(user, "answer_posted", "Dr Lee answered: Is filler safe?", link="/questions/1") is None
    db.session.commit()
    assert notes_of(user) == [] and mails_to(user) == 0


def test_digest_means_in_app_and_the_digest_but_no_mail():
    user = make_user()
    notification_settings.save_settings(user, {"channels": {"my_questions": "digest"}})
    notifications.notify(user, "answer_posted", "Dr Lee answered: Is filler safe?", link="/questions/1")
    db.session.commit()
    (note,) = notes_of(user)
    assert note.digest is True and mails_to(user) == 0


def test_in_app_means_no_mail_and_not_in_the_digest():
    user = make_user()
    notification_settings.save_settings(user, {"channels": {"follow_ups": "in_app"}})
    notifications.notify(user, "follow_up", "New follow-up on: Is filler safe?", link="/questions/1")
    db.session.commit()
    (note,) = notes_of(user)
    assert note.digest is False and mails_to(user) == 0


def test_email_is_the_default_and_consultation_notices_always_mail():
    user = make_user()
    notifications.notify(user, "answer_posted", "Dr Lee answered: Is filler safe?", link="/questions/1")
    db.session.add(NotificationSetting(user_id=user.id, category="consultations", channel=Channel.OFF))  # forged row
    db.session.commit()
    notifications.notify(user, "consultation", "Your consultation request was accepted", link="/consultations")
    db.session.commit()
    assert len(notes_of(user)) == 2 and mails_to(user) == 2


@pytest.mark.parametrize("kind", ["consultation", "account"])
def test_consultation_and_security_mail_cannot_be_unsubscribed_and_carries_no_link(kind):
    user = make_user()
    with pytest.raises(Invalid) as refused:  # a link made for such mail (by an older version) is refused
        notifications.unsubscribe(token=mail.unsubscribe_token(user.id, kind))
    assert "cannot be turned off" in refused.value.message
    db.session.add(MailOptOut(user_id=user.id, kind=kind))  # an opt-out stored before the rule
    db.session.commit()
    notifications.notify(user, kind, "Something about your consultation changed", link="/consultations/1")
    db.session.commit()
    [row] = db.session.scalars(select(OutboxMail).where(OutboxMail.to_address == user.email)).all()
    assert row.kind is None and row.user_id is None  # so the mail has no unsubscribe link
