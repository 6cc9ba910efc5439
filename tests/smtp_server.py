"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 at a free port, with a certificate made
for the run (a throwaway CA signs a server certificate for 127.0.0.1 and localhost).

    with smtp_server(security="starttls") as server:      # or "tls" (implicit) or "none"
        app.config.update(MAIL_BACKEND="smtp", MAIL_SMTP_HOST=server.host, MAIL_SMTP_PORT=server.port,
                          MAIL_SMTP_SECURITY=server.security, MAIL_SMTP_CA_FILE=server.ca_file,
                          MAIL_SMTP_USERNAME="forum", MAIL_SMTP_PASSWORD="secret")
        ...
        (message,) = server.wait_for(1)

"starttls": STARTTLS is required before anything else and AUTH is offered only after it.
"tls": TLS from the first byte (AUTH over it). "none": plain text, for a loopback relay; AUTH is
accepted but not required. With a username, every mail needs AUTH with exactly these
credentials (starttls and tls)."""
from __future__ import annotations

import contextlib
import datetime
import ipaddress
import socket
import ssl
import tempfile
import threading
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


class ReceivedMail:
    """What the server got: parsed messages, envelopes and the logins it accepted or refused."""

    def __init__(self, host: str, port: int, security: str, ca_file: str):
        self.host, self.port, self.security, self.ca_file = host, port, security, ca_file
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []  # (MAIL FROM, RCPT TO)
        self.logins: list[tuple[str, bool]] = []           # (username, accepted)
        self._arrived = threading.Condition()

    def wait_for(self, count: int, timeout: float = 10) -> list[EmailMessage]:
        """Block until `count` messages arrived (AssertionError after `timeout` seconds)."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.messages) >= count, timeout):
                raise AssertionError(f"expected {count} mail(s) within {timeout}s, got {len(self.messages)}")
            return list(self.messages)

    # aiosmtpd handler hook (runs in the server's thread)
    async def handle_DATA(self, server, session, envelope) -> str:
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        with self._arrived:
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"


def _authenticator(received: ReceivedMail, username: str, password: str):
    def check(server, session, envelope, mechanism, auth_data) -> AuthResult:
        given = auth_data if isinstance(auth_data, LoginPassword) else LoginPassword(b"", b"")
        ok = given.login == username.encode() and given.password == password.encode()
        received.logins.append((given.login.decode(errors="replace"), ok))
        return AuthResult(success=ok, handled=False)
    return check


def make_certificate(directory: Path) -> tuple[Path, Path, Path]:
    """(CA certificate, server certificate, server key) as PEM files in `directory`."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "forum test CA")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(ca_ski, critical=False)
          .sign(ca_key, hashes.SHA256()))
    names = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _ImplicitTlsSMTP(SMTP):
    """aiosmtpd sees TLS only when it did STARTTLS itself; behind an implicitly wrapped socket it
    would refuse AUTH ("encryption required"). The socket is TLS, so AUTH may go ahead. (Turning
    `auth_require_tls` off in the constructor instead makes aiosmtpd warn, an error under pytest.)"""

    def __init__(self, handler, **kwargs):
        super().__init__(handler, **kwargs)
        self._auth_require_tls = False  # aiosmtpd 1.4 attribute; pinned <2 in pyproject


class _Controller(Controller):
    def __init__(self, handler, *, implicit_tls: bool, **kwargs):
        super().__init__(handler, **kwargs)
        self.implicit_tls = implicit_tls

    def factory(self):
        return (_ImplicitTlsSMTP if self.implicit_tls else SMTP)(self.handler, **self.SMTP_kwargs)


def _smtp_options(security: str, tls: ssl.SSLContext, received: ReceivedMail, username, password) -> dict:
    options: dict = {"server_hostname": "localhost"}
    if security == "starttls":
        options.update(tls_context=tls, require_starttls=True, auth_require_tls=True)
    if username is not None:
        options["authenticator"] = _authenticator(received, username, password)
        options["auth_required"] = security != "none"
    if security == "none":
        options["auth_require_tls"] = False  # plain text: AUTH possible, not required (no warning)
    return options


@contextlib.contextmanager
def smtp_server(security: str = "starttls", username: str | None = "forum", password: str = "secret"):
    """Run an SMTP server on 127.0.0.1 for the `with` block; yields a `ReceivedMail`."""
    if security not in ("starttls", "tls", "none"):
        raise ValueError(security)
    with tempfile.TemporaryDirectory(prefix="forum-smtp-") as directory:
        ca_file, cert_file, key_file = make_certificate(Path(directory))
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(cert_file, key_file)
        received = ReceivedMail("127.0.0.1", _free_port(), security, str(ca_file))
        controller = _Controller(received, hostname=received.host, port=received.port,
                                 implicit_tls=security == "tls", ssl_context=tls if security == "tls" else None,
                                 **_smtp_options(security, tls, received, username, password))
        controller.start()
        try:
            yield received
        finally:
            controller.stop()  # also closes its event loop
