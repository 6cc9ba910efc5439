"""Mail senders (console, SMTP, memory) and the outbox flush that drives them."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from forum.extensions import db
from forum.models import OutboxMail

log = logging.getLogger("forum.mail")
SENT: list[EmailMessage] = []  # memory backend: tests read sent mail here


class ConsoleSender:
    """Local development: print the mail to the log instead of sending it."""

    def send(self, message: EmailMessage) -> None:
        log.info("mail to %s: %s\n%s", message["To"], message["Subject"], message.get_content())


class MemorySender:
    def send(self, message: EmailMessage) -> None:
        SENT.append(message)


class SmtpSender:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
            smtp.send_message(message)


def get_sender():
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "smtp":
        return SmtpSender(current_app.config["MAIL_SMTP_HOST"], int(current_app.config["MAIL_SMTP_PORT"]))
    if backend == "memory":
        return MemorySender()
    return ConsoleSender()


def queue_mail(to_address: str, subject: str, body_text: str) -> OutboxMail:
    """Add a mail to the outbox. Runs in the caller's transaction."""
    mail = OutboxMail(to_address=to_address, subject=subject, body_text=body_text)
    db.session.add(mail)
    return mail


def build_message(row: OutboxMail) -> EmailMessage:
    """The message for one outbox row."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message.set_content(row.body_text)
    return message
