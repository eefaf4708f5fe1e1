"""A real SMTP server on the loopback interface (aiosmtpd), for the delivery tests."""
import socket
import ssl
import subprocess
import threading
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

# the holder's browser journey runs against the same kind of live server as tests/browser
from tests.browser.conftest import live_server  # noqa: F401


class Mailbox:
    """Every message the server accepted, parsed; optionally slow, to widen races."""

    def __init__(self, delay: float = 0.0):
        self.messages = []
        self.delay = delay
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)  # a slow relay: blocks this connection, as a real one would
        with self._lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def ids(self) -> list[str]:
        with self._lock:
            return [m["Message-ID"] for m in self.messages]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_STARTTLS=False,
                      SMTP_FROM="noreply@amr.bayannur.example", SMTP_TIMEOUT=5)
    try:
        yield mailbox
    finally:
        controller.stop()


class Logins:
    """Accepts one user and password; records every login attempt."""

    def __init__(self, user: str, password: str):
        self.expected = (user.encode(), password.encode())
        self.attempts = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        self.attempts.append((mechanism, auth_data.login))
        return AuthResult(success=(auth_data.login, auth_data.password) == self.expected)


def self_signed(tmp_path) -> tuple[str, str]:
    """A certificate for 127.0.0.1, made with the openssl command (as an intranet CA would)."""
    cert, key = tmp_path / "smtp-cert.pem", tmp_path / "smtp-key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return str(cert), str(key)


@pytest.fixture
def tls_smtp_server(app, tmp_path):
    """An SMTP server that offers STARTTLS and accepts a login only over TLS."""
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    mailbox, logins = Mailbox(), Logins("notifier", "s3cret-pass")
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(),
                            tls_context=context, require_starttls=True,
                            authenticator=logins, auth_require_tls=True)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_STARTTLS=True,
                      SMTP_USER="notifier", SMTP_PASSWORD="s3cret-pass", SMTP_CA_FILE=cert,
                      SMTP_FROM="noreply@amr.bayannur.example", SMTP_TIMEOUT=5)
    mailbox.logins = logins
    try:
        yield mailbox
    finally:
        controller.stop()
