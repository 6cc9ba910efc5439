"""Mail and notifications in the recipient's language (#16): the in-app text, the mail's subject
and bodies, digests and account mail are rendered in the locale of whoever receives them (their
setting, else English), not of whoever caused them. Jobs run with no request: force_locale works
there too. The Spanish assertions need the compiled catalog (see /work/wt/I18N.md)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import has_request_context
from flask_babel import refresh
from sqlalchemy import select

from forum import mail
from forum.extensions import db
from forum.i18n import _l, fdate, fdatetime, force_locale, gettext
from forum.jobs import tasks
from forum.models import FollowKind, Notification, OutboxMail
from forum.services import digests, notifications
from tests.factories import make_user
from tests.services.test_digests import MONDAY, answered_question, digest_mails, follow, reader, topic


def last_mail() -> OutboxMail:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMail).order_by(OutboxMail.id.desc())).first()


def greet(name: str):
    return _l("Hello %(name)s,", name=name)


def test_force_locale_works_in_a_job_with_no_request(app):
    """What a worker has: an application context and no request."""
    assert not has_request_context()
    with force_locale("es"):
        assert gettext("For you") == "Para usted"
        assert str(greet("Ana")) == "Hola, Ana:"
        assert fdate(date(2026, 6, 1)) == "1 de junio de 2026"
        assert fdatetime(datetime(2026, 6, 1, 7, 5), "long") == "1 de junio de 2026, 7:05:00 UTC"
    assert gettext("For you") == "For you" and fdate(date(2026, 6, 1)) == "June 1, 2026"


def test_a_spanish_member_gets_the_notification_and_its_mail_in_spanish():
    user = make_user(locale="es")
    note = notifications.notify(user, "answer_posted", greet("Ana"), link="/questions/1")
    db.session.commit()
    assert db.session.get(Notification, note.id).message == "Hola, Ana:"
    sent = last_mail()
    assert sent.to_address == user.email
    assert sent.subject == "Ask a Cosmetic Doctor: Hola, Ana:"
    assert "Véalo en el sitio:" in sent.body_text and "Verlo en el sitio" in sent.body_html
    assert "Dejar de recibir correos sobre nuevas respuestas a las preguntas que sigue" in sent.body_text
    assert '<html lang="es">' in sent.body_html


def test_an_english_member_gets_english_even_when_a_spanish_request_caused_it(app):
    user = make_user()  # no language chosen: English, whatever the language of whoever caused it
    with app.test_request_context("/", headers={"Accept-Language": "es"}):
        refresh()
        assert str(greet("Ana")) == "Hola, Ana:"  # the request is Spanish
        notifications.notify(user, "answer_posted", greet("Ana"), link="/questions/1")
        db.session.commit()
    sent = last_mail()
    assert db.session.scalar(select(Notification.message).where(Notification.user_id == user.id)) == "Hello Ana,"
    assert sent.subject == "Ask a Cosmetic Doctor: Hello Ana,"
    assert "See it on the site:" in sent.body_text and "Stop e-mails about new answers" in sent.body_text


def test_a_plain_message_is_stored_as_it_is():
    user = make_user(locale="es")
    notifications.notify(user, "answer_posted", "Dr Lee answered: Is filler safe?", link="/questions/1")
    db.session.commit()
    assert last_mail().subject == "Ask a Cosmetic Doctor: Dr Lee answered: Is filler safe?"


def test_the_mail_locale_comes_from_the_argument_the_account_the_request_then_english(app):
    spanish = make_user(locale="es")
    assert mail.recipient_locale("nobody@example.test") == "en"
    assert mail.recipient_locale(spanish.email.upper()) == "es"
    assert mail.recipient_locale("x@example.test", user_id=spanish.id) == "es"
    assert mail.recipient_locale(spanish.email, locale="en") == "en"
    with app.test_request_context("/", headers={"Accept-Language": "es"}):
        refresh()  # the fixture's application context (and its cached locale) outlives requests
        assert mail.recipient_locale("new-address@example.test") == "es"  # an address no account has yet
        row = mail.queue_mail("new-address@example.test", greet("Ana"), "verify_email", name="Ana",
                              link="http://localhost/verify/x")
    assert row.subject == "Hola, Ana:" and "Confirme su dirección de correo" in row.body_text


def test_a_spanish_password_reset_from_the_job(app):
    """The job (no request) writes the reset mail in the account's language."""
    user = make_user(locale="es")
    tasks.send_password_reset(email=user.email)
    sent = last_mail()
    assert sent.to_address == user.email
    assert "Alguien pidió restablecer su contraseña" in sent.body_text
    assert "Si no, ignore este correo" in sent.body_html
    with force_locale("es"):
        assert sent.subject == gettext("Reset your password")  # Spanish once accounts.py passes _l(...)


def test_the_digest_is_in_the_readers_language():
    pores = topic()
    spanish, english = reader(locale="es"), reader()
    for user in (spanish, english):
        follow(user, FollowKind.TOPIC, pores.id)
        note = notifications.notify(user, "followed_activity", greet("Ana"), link="/questions/7")
        note.created_at = MONDAY - timedelta(hours=2)
    db.session.commit()
    answered_question("Do pore strips make pores bigger?", MONDAY - timedelta(hours=10), topics=[pores])
    assert digests.send_due_digests(MONDAY) == 2
    (es_mail,), (en_mail,) = digest_mails(spanish), digest_mails(english)
    assert es_mail.subject == "Ask a Cosmetic Doctor: su resumen diario"
    assert "Su resumen diario de Ask a Cosmetic Doctor, 1 de junio de 2026." in es_mail.body_text
    assert "Para usted\n- Hola, Ana:" in es_mail.body_text
    assert "Recién respondidas en los temas y tratamientos que sigue" in es_mail.body_html
    assert "Dejar de recibir correos sobre su resumen de actividad" in es_mail.body_text
    assert en_mail.subject == "Ask a Cosmetic Doctor: your daily digest"
    assert "Your daily digest from Ask a Cosmetic Doctor, June 1, 2026." in en_mail.body_text
    assert "For you\n- Hello Ana," in en_mail.body_text


def test_a_job_can_be_told_the_language_of_the_page_it_was_asked_from():
    """An account with no language set gets the page's; an account's own setting still wins."""
    unset, english = make_user(), make_user(locale="en")
    tasks.send_password_reset(email=unset.email, locale="es")
    assert "Alguien pidió restablecer su contraseña" in last_mail().body_text
    tasks.send_password_reset(email=english.email, locale="es")
    assert "Someone asked to reset your password" in last_mail().body_text
    tasks.send_password_reset(email=unset.email, locale="xx")  # not a language we serve: English
    assert "Someone asked to reset your password" in last_mail().body_text
