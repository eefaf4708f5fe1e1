"""``flask --app wsgi packets ...``: verify a packet, build one to a file, print the key."""
import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from enforcement.extensions import db

packets = AppGroup("packets", help="Referral packets: verify, build, public key.")


@packets.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--key", "key_file", type=click.Path(exists=True, dir_okay=False),
              help="public key PEM (default: this system's signing key)")
@click.option("--all", "show_all", is_flag=True, help="list every file, not only failures")
def verify(file, key_file, show_all):
    """Check a packet's signature and every file; exit 0 when valid, 1 when not."""
    from enforcement.packets import keys
    from enforcement.packets.verify import verify_packet

    if key_file:
        try:
            with open(key_file, "rb") as pem:
                public_key = keys.load_public_key(pem.read())
        except ValueError as exc:
            raise click.ClickException(f"{key_file}: not an Ed25519 key ({exc})") from None
    elif keys.key_file().exists():
        public_key = keys.public_key()
    else:
        raise click.ClickException("this system has no signing key yet; pass --key PEM")
    with open(file, "rb") as stream:
        report = verify_packet(stream, public_key)
    for code, detail in report.problems:
        click.echo(f"PROBLEM {code} {detail}".rstrip())
    click.echo(f"signature: {report.signature} (key {report.key_id}"
               + (f", packet says {report.manifest_key_id}"
                  if report.manifest_key_id and report.manifest_key_id != report.key_id
                  else "") + ")")
    for check in report.files:
        if show_all or check.status != "ok":
            detail = _describe(check)
            click.echo(f"{check.status.upper():10} {check.path}{detail}")
    ok = sum(1 for f in report.files if f.status == "ok")
    click.echo(f"{'VALID' if report.valid else 'INVALID'}: {ok} of {len(report.files)} "
               f"files ok")
    sys.exit(0 if report.valid else 1)


def _describe(check) -> str:
    if check.status == "changed":
        if check.reason:
            return f" — {check.reason}"
        return (f" — size {check.expected_size} -> {check.actual_size}, sha256 "
                f"{check.expected_sha256} -> {check.actual_sha256}")
    if check.status == "missing":
        return " — listed in the manifest, not in the packet"
    if check.status == "unexpected":
        return " — in the packet, not in the manifest"
    return ""


@packets.command("build")
@click.argument("referral_id", type=int)
@click.option("--user", "username", required=True,
              help="build as this user (jurisdiction checked, download recorded)")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
def build(referral_id, username, out):
    """Build a referral's packet into a file, as a download by USER (via "cli")."""
    from enforcement.auth.models import User
    from enforcement.errors import NotFound
    from enforcement.packets.services import start_download

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise click.ClickException(f"no active user {username}")
    try:
        packet = start_download(referral_id, user, via="cli")
    except NotFound:
        raise click.ClickException(f"no referral {referral_id} visible to {username}") from None
    size = 0
    with open(out, "wb") as target:
        for chunk in packet.chunks:
            target.write(chunk)
            size += len(chunk)
    click.echo(f"{out}: {size} bytes (download record {packet.build_id})")


@packets.command("public-key")
def public_key():
    """Print the public key (PEM) and its key id."""
    from enforcement.packets import keys

    click.echo(keys.public_pem().decode(), nl=False)
    click.echo(f"key id: {keys.key_id()}", err=True)
