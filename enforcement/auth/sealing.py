"""Secrets the app must read back are stored sealed (AES-256-GCM), never in clear.

A TOTP seed cannot be hashed like a password: the server computes the expected codes from it.
A copy of the database (a backup, a dump handed to a contractor, a stolen disk) must still not
let anyone produce a head's or a police officer's second factor, so each seed is encrypted
under a key that lives in the deployment's configuration, not in the database:

* ``DATA_ENCRYPTION_KEY``: 32 random bytes, URL-safe base64 (``flask --app wsgi users data-key``
  prints one); production should set it, and keep it as it keeps the database's backups;
* without it, a key derived from ``SECRET_KEY`` (HKDF-SHA256, its own label), so a new
  installation works out of the box. Changing ``SECRET_KEY`` then makes the seeds unreadable:
  ``flask --app wsgi users totp-reseal --old-secret-key …`` seals the seeds again under the
  new key (so does ``--old-key`` after a change of ``DATA_ENCRYPTION_KEY``). A seed that no
  key opens refuses its user at the second step, and an administrator resets the factor (the
  next login enrols afresh).

Each sealed value is bound to its row (``context``, e.g. ``totp:17``): a seed copied onto
another user's row does not open. Format: ``v1:`` + URL-safe base64 of nonce ‖ ciphertext.
"""
import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

PREFIX = "v1:"
NONCE_BYTES = 12
KEY_BYTES = 32


class Unreadable(Exception):
    """A sealed value that does not open: another key, another row, or altered."""


def new_key() -> str:
    """A fresh ``DATA_ENCRYPTION_KEY``."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def key_of(config) -> bytes:
    """The sealing key of a configuration; a malformed ``DATA_ENCRYPTION_KEY`` is refused."""
    configured = config.get("DATA_ENCRYPTION_KEY")
    if configured:
        try:
            key = base64.urlsafe_b64decode(configured.encode())
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != KEY_BYTES:
            raise ValueError("DATA_ENCRYPTION_KEY must be 32 bytes in URL-safe base64 "
                             "(flask --app wsgi users data-key prints one)")
        return key
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None,
                info=b"enforcement: sealed secrets v1").derive(config["SECRET_KEY"].encode())


def seal(plain: str, context: str, key: bytes | None = None) -> str:
    key = key_of(current_app.config) if key is None else key
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plain.encode(), context.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(sealed: str, context: str, key: bytes | None = None) -> str:
    key = key_of(current_app.config) if key is None else key
    if not sealed.startswith(PREFIX):
        raise Unreadable("not a sealed value")
    try:
        raw = base64.urlsafe_b64decode(sealed[len(PREFIX):].encode())
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:],
                                   context.encode()).decode()
    except (binascii.Error, ValueError, InvalidTag) as error:
        raise Unreadable(str(error) or type(error).__name__) from error
