"""Channel adapters: how a message leaves — the portal inbox, e-mail over SMTP, an SMS gateway.

Every adapter gets the message's idempotency key. An adapter whose receiver takes a repeat
as nothing new says ``repeat_safe = True`` (the portal inbox; an SMS gateway that deduplicates
by the key, as most do with a client reference). SMTP cannot refuse a repeat, so e-mail is
handed over with care (see :mod:`enforcement.outbox.delivery`): :class:`SmtpEmail` reports
the moment the server has accepted the envelope and is about to get the message itself
(``handing_over``), and a connection lost after that moment is :class:`DeliveryUncertain`,
not a failure to retry. The key is the Message-ID, so a message a person decides to send
again is recognisable as the same one.
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


class DeliveryUncertain(DeliveryError):
    """The connection was lost while the receiver was taking the message: it may have
    arrived, so it is not tried again by itself (a person checks)."""


class Channel(Protocol):
    def send(self, recipient: str, subject: str, body: str, key: str) -> None:
        """Hand the message over, or raise :class:`DeliveryError`."""


class PortalInbox:
    """The account holder's 消息 page: the committed row is the delivery."""

    repeat_safe = True

    def send(self, recipient, subject, body, key):
        if not recipient.startswith("user:"):
            raise DeliveryError(f"not a portal recipient: {recipient!r}")


class _HandOverSMTP(smtplib.SMTP):
    """Calls ``before_data`` once the server has accepted sender and recipient, right before
    the message itself (DATA) is sent: from then on a lost connection leaves it unknown
    whether the server took the message."""

    before_data = None

    def data(self, msg):
        if self.before_data is not None:
            self.before_data()
        return super().data(msg)


class SmtpEmail:
    """E-mail over SMTP, with STARTTLS and login when configured."""

    #: ``send`` takes ``handing_over``, called right before the message itself is sent
    marks_handover = True

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

    def send(self, recipient, subject, body, key, handing_over=None):
        if not self.host:
            raise DeliveryError("SMTP_HOST is not configured")
        handed = accepted = False

        def before_data():
            nonlocal handed
            if handing_over is not None:
                handing_over()
            handed = True

        try:
            with _HandOverSMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    # the certificate and host name are checked: no login in the clear
                    smtp.starttls(context=ssl.create_default_context(cafile=self.ca_file))
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.before_data = before_data
                smtp.send_message(self.message(recipient, subject, body, key))
                accepted = True
        except (OSError, smtplib.SMTPException) as exc:
            if accepted:  # taken (250 to DATA); only the goodbye (QUIT) went wrong
                log.warning("SMTP %s: accepted, then %s: %s", key, type(exc).__name__, exc)
                return
            raise _delivery_error(exc, handed) from exc


def _delivery_error(exc: Exception, handed: bool) -> DeliveryError:
    """A refusal the server answered is a failure, tried again later; a connection lost once
    the message itself was on its way leaves it unknown whether the server took it."""
    text = f"{type(exc).__name__}: {exc}"
    if handed and not isinstance(exc, smtplib.SMTPResponseException):
        return DeliveryUncertain(text)
    return DeliveryError(text)


class LogSms:
    """The default SMS adapter: writes the message to the log (no gateway is contracted yet)."""

    repeat_safe = True  # a log line; a gateway adapter says so only if the gateway dedupes

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
