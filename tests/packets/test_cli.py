"""``flask packets verify``: exit 0 for a valid packet, 1 naming what fails."""
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from enforcement.packets import keys
from tests.packets.helpers import members, rezip


def test_valid_packet_exits_0(runner, packet, tmp_path):
    path = tmp_path / "packet.zip"
    path.write_bytes(packet)
    result = runner.invoke(args=["packets", "verify", str(path)])
    assert result.exit_code == 0, result.output
    assert "signature: ok" in result.output
    assert result.output.strip().splitlines()[-1].startswith("VALID")


def test_published_key_file_works_as_well(runner, client, packet, tmp_path):
    pem = client.get("/packets/public-key.pem").get_data()
    (tmp_path / "key.pem").write_bytes(pem)
    (tmp_path / "packet.zip").write_bytes(packet)
    result = runner.invoke(args=["packets", "verify", str(tmp_path / "packet.zip"),
                                 "--key", str(tmp_path / "key.pem")])
    assert result.exit_code == 0, result.output


def test_tampered_packet_exits_1_and_names_each_failing_file(runner, packet, tmp_path):
    contents = members(packet)
    changed = next(p for p in contents if p.startswith("documents/"))
    removed = next(p for p in contents if p.startswith("evidence/"))
    contents[changed] = contents[changed] + b"\n"
    del contents[removed]
    contents["extra.txt"] = b"x"
    (tmp_path / "bad.zip").write_bytes(rezip(contents))
    result = runner.invoke(args=["packets", "verify", str(tmp_path / "bad.zip")])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith("CHANGED") and changed in line for line in lines)
    assert any(line.startswith("MISSING") and removed in line for line in lines)
    assert any(line.startswith("UNEXPECTED") and "extra.txt" in line for line in lines)
    assert lines[-1].startswith("INVALID")


def test_wrong_key_exits_1(runner, packet, tmp_path):
    other = Ed25519PrivateKey.generate()
    (tmp_path / "other.pem").write_bytes(other.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    (tmp_path / "packet.zip").write_bytes(packet)
    result = runner.invoke(args=["packets", "verify", str(tmp_path / "packet.zip"),
                                 "--key", str(tmp_path / "other.pem")])
    assert result.exit_code == 1
    assert "signature: bad" in result.output and keys.key_id() in result.output


def test_build_command_writes_a_packet_that_verifies(runner, police_referral, tmp_path):
    out = tmp_path / "built.zip"
    result = runner.invoke(args=["packets", "build", str(police_referral.id),
                                 "--user", "police_linhe", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["packets", "verify", str(out)]).exit_code == 0
    denied = runner.invoke(args=["packets", "build", str(police_referral.id),
                                 "--user", "police_city", "--out", str(tmp_path / "x.zip")])
    assert denied.exit_code != 0 and "no referral" in denied.output
