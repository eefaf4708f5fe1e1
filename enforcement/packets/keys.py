"""The system's Ed25519 packet-signing key: loaded from PACKET_SIGNING_KEY_FILE, made (0600) on
first use, and published as PEM with a short key id."""
import hashlib
import logging
import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

log = logging.getLogger(__name__)

_lock = threading.Lock()
_cache: dict[str, Ed25519PrivateKey] = {}


def key_file() -> Path:
    configured = current_app.config.get("PACKET_SIGNING_KEY_FILE")
    return Path(configured) if configured else Path(current_app.instance_path,
                                                     "packet_signing_key.pem")


def signing_key() -> Ed25519PrivateKey:
    """The private key, read once per process; generated when the file does not exist yet."""
    path = key_file()
    with _lock:
        key = _cache.get(str(path))
        if key is None:
            key = _load_or_create(path)
            _cache[str(path)] = key
        return key


def _load_or_create(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        _create(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise RuntimeError(f"{path} does not hold an Ed25519 private key")
    return key


def _create(path: Path) -> None:
    """Write a new key atomically: several workers starting at once end up with one key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
        out.flush()
        os.fsync(out.fileno())
    try:
        os.link(partial, path)  # fails if another process made the key first: keep that one
        log.warning("generated a new packet-signing key in %s", path)
    except FileExistsError:
        pass
    finally:
        partial.unlink(missing_ok=True)


def public_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def public_pem(key: Ed25519PublicKey | None = None) -> bytes:
    return (key or public_key()).public_bytes(serialization.Encoding.PEM,
                                              serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id(key: Ed25519PublicKey | None = None) -> str:
    """First 16 hex digits of the SHA-256 of the raw 32-byte public key."""
    raw = (key or public_key()).public_bytes(serialization.Encoding.Raw,
                                             serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """A public key from PEM; also accepts a private key's PEM (its public half)."""
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError:
        key = serialization.load_pem_private_key(pem, password=None).public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 key")
    return key
