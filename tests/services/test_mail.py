"""Real mail (issue #11): SMTP with STARTTLS or implicit TLS and AUTH against a local server,
multipart bodies from templates, Message-ID and Date, one-click unsubscribe tokens and opt-outs."""
from __future__ import annotations

import re
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from forum import mail
from forum.errors import Invalid
from forum.extensions import db
from forum.models import MailOptOut, Notification, OutboxMail, User
from forum.services import accounts, notifications, outbox
from tests.factories import make_user
from tests.smtp_server import smtp_server

def use_smtp(app, server, **overrides) -> None:
    app.config.update(MAIL_BACKEND="smtp", MAIL_SMTP_HOST=server.host, MAIL_SMTP_PORT=server.port,
                      MAIL_SMTP_SECURITY=server.security, MAIL_SMTP_CA_FILE=server.ca_file,
                      MAIL_SMTP_USERNAME="forum", MAIL_SMTP_PASSWORD="secret", MAIL_SMTP_TIMEOUT=5)
    app.config.update(overrides)


def notify(user: User, kind: str = "answer_posted", message: str = "Dr Lee answered: Is filler safe?") -> None:
    notifications.notify(user, kind, message, link="/questions/1")
    db.session.commit()  # the commit asks for delivery; in tests the job runs inline, at once


def outbox_rows() -> list[OutboxMail]:
    db.session.expire_all()  # delivery ran in a session of its own
    return list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


def unsubscribe_token(message) -> str:
    return re.fullmatch(r"<http://localhost/unsubscribe/([^>]+)>", message["List-Unsubscribe"]).group(1)


# ---- over SMTP ----

def test_notification_mail_goes_through_starttls_and_auth_as_multipart_with_unsubscribe_headers(app):
    user = make_user(email="asker@example.org")
    with smtp_server("starttls") as server:
        use_smtp(app, server)
        notify(user)
        (message,) = server.wait_for(1)
    assert server.logins == [("forum", True)]
    assert server.envelopes == [("no-reply@example.org", ["asker@example.org"])]
    assert message["To"] == "asker@example.org"
    assert message["Subject"] == "Ask a Cosmetic Doctor: Dr Lee answered: Is filler safe?"
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert "Dr Lee answered: Is filler safe?" in text_of(message) and "http://localhost/questions/1" in text_of(message)
    assert "Dr Lee answered: Is filler safe?" in html_of(message)
    assert 'href="http://localhost/questions/1"' in html_of(message)
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    (row,) = outbox_rows()
    assert message["Message-ID"] == row.message_id and row.message_id.endswith("@localhost>")
    assert row.sent_at is not None and row.attempts == 1 and row.last_error is None
    token = unsubscribe_token(message)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/unsubscribe/{token}" in text_of(message) and f"/unsubscribe/{token}" in html_of(message)
    assert notifications.describe_unsubscribe(token=token) == {"kind": "answer_posted",
                                                               "topic": notifications.MAIL_KINDS["answer_posted"]}


def test_implicit_tls_delivers_with_auth(app):
    user = make_user()
    with smtp_server("tls") as server:
        use_smtp(app, server, MAIL_SMTP_PORT=server.port)
        notify(user)
        (message,) = server.wait_for(1)
    assert server.logins == [("forum", True)] and message["To"] == user.email
    assert outbox_rows()[0].sent_at is not None


def test_a_wrong_password_keeps_the_mail_pending_with_the_error_recorded(app):
    user = make_user()
    with smtp_server("starttls") as server:
        use_smtp(app, server, MAIL_SMTP_PASSWORD="wrong")
        notify(user)
        (row,) = outbox_rows()
        assert server.messages == [] and server.logins and not any(ok for _, ok in server.logins)
    assert row.sent_at is None and row.failed_at is None and row.attempts == 1
    assert row.last_error.startswith("SMTPAuthenticationError") and row.next_attempt_at is not None


def test_a_server_certificate_from_an_untrusted_authority_is_refused(app):
    user = make_user()
    with smtp_server("starttls") as server:
        use_smtp(app, server, MAIL_SMTP_CA_FILE=None)  # the system's trust store does not know the test CA
        notify(user)
        (row,) = outbox_rows()
        assert server.messages == [] and server.logins == []
    assert row.sent_at is None and row.last_error.startswith("SSLCertVerificationError")


def test_implicit_tls_also_verifies_the_certificate(app):
    user = make_user()
    with smtp_server("tls") as server:
        use_smtp(app, server, MAIL_SMTP_CA_FILE=None)
        notify(user)
        (row,) = outbox_rows()
        assert server.messages == []
    assert row.sent_at is None and row.last_error.startswith("SSLCertVerificationError")


def test_a_server_without_starttls_is_refused_rather_than_spoken_to_in_clear(app):
    user = make_user()
    with smtp_server("none", username=None) as server:
        use_smtp(app, server, MAIL_SMTP_SECURITY="starttls")
        notify(user)
        (row,) = outbox_rows()
        assert server.messages == []
    assert row.sent_at is None and row.last_error.startswith("SMTPNotSupportedError")


def test_plain_smtp_with_a_password_is_allowed_only_to_a_relay_on_this_machine(app):
    user = make_user()
    with smtp_server("none") as server:
        use_smtp(app, server, MAIL_SMTP_SECURITY="none")
        notify(user)
        server.wait_for(1)
    assert server.logins == [("forum", True)]
    sender = mail.SmtpSender("mail.example.org", 587, security="none", username="forum", password="secret")
    with pytest.raises(mail.SmtpConfigError, match="in clear"):
        sender.send(mail.build_message(outbox_rows()[0]))  # refused before any connection is made


def test_an_unknown_security_setting_is_refused():
    with pytest.raises(ValueError, match="MAIL_SMTP_SECURITY"):
        mail.SmtpSender("localhost", 25, security="ssl")


# ---- the message ----

def test_account_mail_has_both_parts_and_no_unsubscribe(app):
    user = make_user(email="member@example.org")
    accounts.request_password_reset(email="member@example.org")
    (message,) = [m for m in mail.SENT if m["Subject"] == "Reset your password"]
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    assert "/reset-password/" in text_of(message) and "/reset-password/" in html_of(message)
    assert "unsubscribe" not in text_of(message).lower() + html_of(message).lower()
    (row,) = outbox_rows()
    assert row.kind is None and row.user_id is None and row.message_id
    assert user.id  # the account exists; the mail still is account mail, not a notification


def test_the_message_id_is_kept_across_attempts_and_each_attempt_has_a_date(app):
    user = make_user()
    mail.queue_mail(user.email, "Hello", "notification", kind="follow_up", user_id=user.id, message="Hi",
                    link="http://localhost/", topic="follow-ups")
    db.session.commit()
    (row,) = outbox_rows()
    first, second = mail.build_message(row), mail.build_message(row)
    assert first["Message-ID"] == second["Message-ID"] == row.message_id
    assert first["Date"] and first["Auto-Submitted"] == "auto-generated"


def test_user_text_is_escaped_in_the_html_part_and_subjects_stay_on_one_line(app):
    user = make_user()
    notify(user, message='Dr <b>Lee</b> answered:\r\nBcc: someone@example.org "x"')
    (message,) = mail.SENT
    assert "<b>Lee</b>" not in html_of(message) and "&lt;b&gt;Lee&lt;/b&gt;" in html_of(message)
    assert message["Bcc"] is None and "\n" not in message["Subject"]
    assert "Dr <b>Lee</b> answered:" in text_of(message)  # plain text is not HTML: nothing to escape


def test_consultation_mail_says_nothing_but_the_generic_notice(app):
    user = make_user()
    notifications.notify(user, "consultation", "Your consultation request was accepted.", link="/consultations/7")
    db.session.commit()
    (message,) = mail.SENT
    assert "Your consultation request was accepted." in text_of(message)
    assert "/consultations/7" in text_of(message) and "/consultations/7" in html_of(message)


# ---- opting out ----

def opt_outs() -> list[tuple[int, str]]:
    return [(o.user_id, o.kind) for o in db.session.scalars(select(MailOptOut))]


def test_an_opted_out_kind_still_notifies_in_app_but_sends_no_mail(app):
    user = make_user()
    notifications.unsubscribe(token=mail.unsubscribe_token(user.id, "answer_posted"))
    assert opt_outs() == [(user.id, "answer_posted")]
    notify(user, "answer_posted")
    notify(user, "follow_up", "New follow-up on: Is filler safe?")
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 2
    assert [m["Subject"] for m in mail.SENT] == ["Ask a Cosmetic Doctor: New follow-up on: Is filler safe?"]


def test_unsubscribing_twice_and_resubscribing_are_idempotent(app):
    user = make_user()
    token = mail.unsubscribe_token(user.id, "invitation")
    first, second = notifications.unsubscribe(token=token), notifications.unsubscribe(token=token)
    assert first == second == {"kind": "invitation", "topic": notifications.MAIL_KINDS["invitation"]}
    assert opt_outs() == [(user.id, "invitation")]
    notifications.resubscribe(token=token)
    notifications.resubscribe(token=token)
    assert opt_outs() == []
    notify(user, "invitation", "You were invited to answer: Is filler safe?")
    assert len(mail.SENT) == 1


def test_a_token_for_a_deleted_account_answers_like_any_other(app):
    user = make_user()
    live = mail.unsubscribe_token(user.id, "answer_posted")
    gone = mail.unsubscribe_token(user.id + 1000, "answer_posted")
    assert notifications.unsubscribe(token=gone) == notifications.unsubscribe(token=live)
    assert notifications.describe_unsubscribe(token=gone) == notifications.describe_unsubscribe(token=live)
    assert notifications.resubscribe(token=gone) == notifications.resubscribe(token=live)
    assert opt_outs() == []


@pytest.mark.parametrize("token", [
    "nonsense",
    "",
    "eyJ1IjoxLCJrIjoiYW5zd2VyX3Bvc3RlZCJ9.forged-signature",
])
def test_invalid_tokens_are_refused_plainly(app, token):
    with pytest.raises(Invalid, match="not valid"):
        notifications.unsubscribe(token=token)


def test_a_tampered_or_foreign_token_is_refused(app):
    user = make_user()
    token = mail.unsubscribe_token(user.id, "answer_posted")
    payload, signature = token.split(".")
    other = mail.unsubscribe_token(user.id + 1, "answer_posted").split(".")[0]
    for bad in (f"{other}.{signature}", f"{payload}.{signature[:-2]}xx"):
        with pytest.raises(Invalid):
            notifications.describe_unsubscribe(token=bad)
    unknown_kind = mail.unsubscribe_token(user.id, "everything")
    with pytest.raises(Invalid):
        notifications.unsubscribe(token=unknown_kind)
    other_salt = URLSafeSerializer(app.config["SECRET_KEY"], salt="something-else").dumps({"u": user.id,
                                                                                          "k": "answer_posted"})
    with pytest.raises(Invalid):
        notifications.unsubscribe(token=other_salt)
    assert opt_outs() == []


def test_tokens_signed_with_a_previous_secret_key_still_work(app):
    user = make_user()
    old_token = mail.unsubscribe_token(user.id, "answer_posted")
    app.config.update(SECRET_KEY_FALLBACKS=[app.config["SECRET_KEY"]], SECRET_KEY="rotated-" + "k" * 40)
    assert mail.unsubscribe_token(user.id, "answer_posted") != old_token
    assert notifications.unsubscribe(token=old_token)["kind"] == "answer_posted"
    assert opt_outs() == [(user.id, "answer_posted")]


def test_every_notification_kind_sent_by_the_services_has_a_description():
    sent = set()
    for path in Path(notifications.__file__).parent.glob("*.py"):
        sent |= set(re.findall(r'notify\([^,]+,\s*"([a-z_]+)"', path.read_text()))
    assert sent and sent <= set(notifications.MAIL_KINDS)


def test_smtp_errors_propagate_to_the_outbox_for_a_retry(app):
    user = make_user()
    with smtp_server("starttls") as server:
        port = server.port
    use_smtp(app, server, MAIL_SMTP_PORT=port, MAIL_SMTP_CA_FILE=None)  # the server is gone: connection refused
    notify(user)
    (row,) = outbox_rows()
    assert row.sent_at is None and row.last_error.startswith("ConnectionRefusedError")
    assert outbox.deliver_due() == 0  # waits for its backoff
