"""Channel adapters: how a message leaves — the portal inbox, e-mail over SMTP, an SMS gateway.

Every adapter gets the message's idempotency key. SMTP cannot refuse a repeat, so the key is
the Message-ID: a message sent again after a crash carries the same Message-ID, which mail
clients and archives use to show it once. An SMS gateway adapter should pass the key to a
gateway that deduplicates (most take a client reference for that).
"""
import importlib
import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import Protocol

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The channel refused or failed; the message is tried again later."""


class Channel(Protocol):
    def send(self, recipient: str, subject: str, body: str, key: str) -> None:
        """Hand the message over, or raise :class:`DeliveryError`."""


class PortalInbox:
    """The account holder's 消息 page: the committed row is the delivery."""

    def send(self, recipient, subject, body, key):
        if not recipient.startswith("user:"):
            raise DeliveryError(f"not a portal recipient: {recipient!r}")


class SmtpEmail:
    """E-mail over SMTP, with STARTTLS and login when configured."""

    def __init__(self, host, port, *, user="", password="", sender="noreply@localhost",
                 starttls=True, timeout=30, ca_file=""):
        self.host, self.port, self.user, self.password = host, port, user, password
        self.sender, self.starttls, self.timeout = sender, starttls, timeout
        self.ca_file = ca_file or None

    @classmethod
    def from_config(cls, config) -> "SmtpEmail":
        return cls(config["SMTP_HOST"], config["SMTP_PORT"], user=config["SMTP_USER"],
                   password=config["SMTP_PASSWORD"], sender=config["SMTP_FROM"],
                   starttls=config["SMTP_STARTTLS"], timeout=config["SMTP_TIMEOUT"],
                   ca_file=config.get("SMTP_CA_FILE", ""))

    def message(self, recipient, subject, body, key) -> EmailMessage:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.sender, recipient, subject
        domain = self.sender.rpartition("@")[2] or "localhost"
        msg["Message-ID"] = f"<{key}@{domain}>"
        msg.set_content(body, charset="utf-8")
        return msg

    def send(self, recipient, subject, body, key):
        if not self.host:
            raise DeliveryError("SMTP_HOST is not configured")
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    # the certificate and host name are checked: no login in the clear
                    smtp.starttls(context=ssl.create_default_context(cafile=self.ca_file))
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(self.message(recipient, subject, body, key))
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


class LogSms:
    """The default SMS adapter: writes the message to the log (no gateway is contracted yet)."""

    def send(self, recipient, subject, body, key):
        log.info("SMS %s to %s: %s", key, mask_phone(recipient), body)


def mask_phone(number: str) -> str:
    """138****0000: enough to tell messages apart in a log, not a contact list."""
    return number[:3] + "****" + number[-4:] if len(number) >= 11 else "****"


def load_adapter(path: str):
    """An adapter named ``module:Class`` in the configuration."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)()


def channels_for(config) -> dict[str, Channel]:
    return {"portal": PortalInbox(), "email": SmtpEmail.from_config(config),
            "sms": load_adapter(config["SMS_ADAPTER"])}
