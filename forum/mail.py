"""Mail: senders (console, SMTP, memory), mail rendered from templates into the outbox, the
message built for each outbox row, and the signed tokens of one-click unsubscribe links."""
from __future__ import annotations

import ipaddress
import logging
import smtplib
import ssl
from datetime import timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import LazyString
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import select

from forum import clock
from forum.extensions import db
from forum.i18n import DEFAULT_LOCALE, current_locale, force_locale, supported
from forum.models import OutboxMail, User

log = logging.getLogger("forum.mail")
SENT: list[EmailMessage] = []  # memory backend: tests read sent mail here
SECURITY_MODES = ("starttls", "tls", "none")
UNSUBSCRIBE_SALT = "mail-unsubscribe"


class ConsoleSender:
    """Local development: print the mail to the log instead of sending it."""

    def send(self, message: EmailMessage) -> None:
        text = message.get_body(("plain",))
        log.info("mail to %s: %s\n%s", message["To"], message["Subject"], text.get_content() if text else "")


class MemorySender:
    def send(self, message: EmailMessage) -> None:
        SENT.append(message)


class SmtpSender:
    """SMTP with the server's certificate and host name verified. `security`: "starttls" (port
    587: plain connection upgraded before anything else is said), "tls" (port 465: TLS from the
    first byte) or "none". A username means AUTH, which is only ever done over TLS, except to a
    relay on this machine (loopback) with security "none": a password never crosses a network in
    clear. Every error propagates: the outbox records it and retries later."""

    def __init__(self, host: str, port: int, *, security: str = "starttls", username: str | None = None,
                 password: str | None = None, timeout: float = 10, ca_file: str | None = None):
        if security not in SECURITY_MODES:
            raise ValueError(f"MAIL_SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, not {security!r}")
        self.host, self.port, self.security, self.timeout = host, port, security, timeout
        self.username, self.password, self.ca_file = username, password, ca_file

    def send(self, message: EmailMessage) -> None:
        if self.username and self.security == "none" and not _is_loopback(self.host):
            raise SmtpConfigError(f"refusing to send the SMTP password in clear to {self.host}: "
                                  "set MAIL_SMTP_SECURITY to starttls or tls")
        context = ssl.create_default_context(cafile=self.ca_file) if self.security != "none" else None
        if self.security == "tls":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.security == "starttls":
                smtp.starttls(context=context)  # refuses (SMTPNotSupportedError) if not offered
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


class SmtpConfigError(RuntimeError):
    """The SMTP settings would be unsafe to use."""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def get_sender():
    config = current_app.config
    backend = config["MAIL_BACKEND"]
    if backend == "smtp":
        return SmtpSender(config["MAIL_SMTP_HOST"], int(config["MAIL_SMTP_PORT"]),
                          security=config["MAIL_SMTP_SECURITY"], username=config["MAIL_SMTP_USERNAME"] or None,
                          password=config["MAIL_SMTP_PASSWORD"], timeout=float(config["MAIL_SMTP_TIMEOUT"]),
                          ca_file=config["MAIL_SMTP_CA_FILE"] or None)
    if backend == "memory":
        return MemorySender()
    return ConsoleSender()


# ---- writing mail into the outbox ----

def queue_mail(to_address: str, subject, template: str, *, kind: str | None = None,
               user_id: int | None = None, locale: str | None = None, **context) -> OutboxMail:
    """Render `templates/email/<template>.txt` and `.html` and add the mail to the outbox, all in
    the recipient's language (`recipient_locale`): the subject may be a lazy string (`_l`), and
    so may any value of `context`; they are rendered in that language too. Notification mail names
    its `kind` and recipient `user_id`: it gets an unsubscribe link in its footer (made now, as the
    body is stored) and List-Unsubscribe headers when sent. Runs in the caller's transaction."""
    with force_locale(recipient_locale(to_address, user_id=user_id, locale=locale)):
        subject = " ".join(str(subject).split())[:200]  # one line: no header injection through titles
        unsubscribe = unsubscribe_url(user_id, kind) if kind and user_id else None
        context = {key: str(value) if isinstance(value, LazyString) else value for key, value in context.items()}
        context.update(subject=subject, site_url=_site_url(), unsubscribe_url=unsubscribe)
        row = OutboxMail(to_address=to_address, subject=subject, kind=kind if unsubscribe else None,
                         user_id=user_id if unsubscribe else None, message_id=make_msgid(domain=_site_host()),
                         body_text=render_template(f"email/{template}.txt", **context),
                         body_html=render_template(f"email/{template}.html", **context))
    db.session.add(row)
    return row


def recipient_locale(to_address: str, *, user_id: int | None = None, locale: str | None = None) -> str:
    """The language a mail is written in: `locale` when given, else the setting of the account
    (`user_id`, or the one with that address), else the language of the current request (or the
    one forced around this call), else English. An address no account has yet (a new address
    being confirmed) gets the language of whoever asked for the mail."""
    chosen = supported(locale)
    if chosen:
        return chosen
    with db.session.no_autoflush:
        if user_id is not None:
            user = db.session.get(User, user_id)
        else:
            user = db.session.scalar(select(User).where(User.email == (to_address or "").strip().lower()))
    if user is not None and supported(user.locale):
        return supported(user.locale)
    return supported(current_locale()) or DEFAULT_LOCALE


def build_message(row: OutboxMail) -> EmailMessage:
    """The message for one outbox row: text and HTML alternatives, Date of this attempt, the
    row's Message-ID (the same on every retry) and, on notification mail, one-click unsubscribe
    (RFC 8058; providers honour it only on DKIM-signed mail, which is the relay's job)."""
    if row.message_id is None:  # a row queued before message ids were stored keeps the one made now
        row.message_id = make_msgid(domain=_site_host())
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = format_datetime(clock.now().replace(tzinfo=timezone.utc), usegmt=True)
    message["Message-ID"] = row.message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a no-reply sender
    if row.kind and row.user_id:
        message["List-Unsubscribe"] = f"<{unsubscribe_url(row.user_id, row.kind)}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(row.body_text)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    return message


def _site_url() -> str:
    return current_app.config["SITE_URL"].rstrip("/")


def _site_host() -> str:
    return urlsplit(_site_url()).hostname or "localhost"


# ---- one-click unsubscribe tokens ----

def _serializer() -> URLSafeSerializer:
    # No expiry: the link in a years-old mail must still work. Keys listed in SECRET_KEY_FALLBACKS
    # still verify (the current key signs), so rotating the secret key breaks no link.
    keys = [*(current_app.config.get("SECRET_KEY_FALLBACKS") or []), current_app.config["SECRET_KEY"]]
    return URLSafeSerializer(keys, salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: int, kind: str) -> str:
    return _serializer().dumps({"u": user_id, "k": kind})


def unsubscribe_url(user_id: int, kind: str) -> str:
    return f"{_site_url()}/unsubscribe/{unsubscribe_token(user_id, kind)}"


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(user id, kind) from a token this site signed; None for anything else."""
    try:
        data = _serializer().loads(token)
    except BadData:
        return None
    if not isinstance(data, dict) or set(data) != {"u", "k"}:
        return None
    user_id, kind = data["u"], data["k"]
    if type(user_id) is not int or not isinstance(kind, str):
        return None
    return user_id, kind
