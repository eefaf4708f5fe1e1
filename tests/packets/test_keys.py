"""The signing key: made once, private to the server's account, stable across restarts."""
import hashlib
import stat

from cryptography.hazmat.primitives import serialization

from enforcement.packets import keys


def test_key_is_created_0600_and_reloaded_unchanged(app, tmp_path, monkeypatch):
    path = tmp_path / "keys" / "packet.pem"
    app.config["PACKET_SIGNING_KEY_FILE"] = str(path)
    monkeypatch.setattr(keys, "_cache", {})
    first = keys.key_id()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(path.parent.glob("*.part"))
    raw = keys.public_key().public_bytes(serialization.Encoding.Raw,
                                         serialization.PublicFormat.Raw)
    assert first == hashlib.sha256(raw).hexdigest()[:16]
    monkeypatch.setattr(keys, "_cache", {})  # as after a restart
    assert keys.key_id() == first
    # another file is another key
    app.config["PACKET_SIGNING_KEY_FILE"] = str(tmp_path / "other.pem")
    assert keys.key_id() != first


def test_public_key_loader_takes_public_or_private_pem(app):
    pem = keys.public_pem()
    assert keys.key_id(keys.load_public_key(pem)) == keys.key_id()
    private = keys.signing_key().private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption())
    assert keys.key_id(keys.load_public_key(private)) == keys.key_id()
