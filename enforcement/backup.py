"""Backup and restore: the database and the evidence files in one archive, checked on restore.

``flask backup create`` writes a tar archive holding

* ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the app runs) or
  ``database.dump`` (``pg_dump --format=custom`` of PostgreSQL, one consistent snapshot);
* ``storage/…`` — every file under ``STORAGE_DIR`` (evidence, thumbnails);
* ``manifest.json`` — when, from which schema revision, the row count of every table, the
  audit chain's head (sequence and hash) and the SHA-256 of every evidence file and document.

The database is copied before the files are listed, and files are only ever added (evidence is
never changed in place), so every row of the copy finds its file in the archive.

``flask backup restore ARCHIVE`` restores into an empty database and an empty ``STORAGE_DIR``
(it refuses anything else) and then :func:`check` compares the restored instance with the
manifest: row counts, the audit head and a full verification of the audit chain, and every
evidence file's and document's hash. ``flask backup check`` runs the same comparison against
the running instance's own data at any time.
"""
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import inspect, select, text

from enforcement.extensions import db

FORMAT = 1
CHUNK = 1 << 20


class BackupError(RuntimeError):
    """The backup or restore cannot go on; the message says why."""


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    tables: int = 0
    rows: int = 0
    files: int = 0
    documents: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


# -- what the manifest records ----------------------------------------------------------------


def _tables() -> list[str]:
    # through the session's own connection: on SQLite a second one would wait for its lock
    return sorted(inspect(db.session.connection()).get_table_names())


def _counts() -> dict[str, int]:
    return {name: db.session.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            for name in _tables()}


def _audit_head() -> dict:
    from enforcement.audit.models import AuditHead

    head = db.session.scalar(select(AuditHead).limit(1))
    return {"seq": head.last_seq, "hash": head.last_hash} if head else {"seq": 0, "hash": ""}


def _revision() -> str | None:
    if "alembic_version" not in _tables():
        return None
    return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _evidence_hashes() -> dict[str, str]:
    from enforcement.evidence.models import Evidence

    return {key: sha for key, sha in db.session.execute(
        select(Evidence.storage_key, Evidence.sha256).order_by(Evidence.id))}


def manifest() -> dict:
    from enforcement.documents.models import Document

    return {
        "format": FORMAT, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "dialect": db.engine.dialect.name, "revision": _revision(), "tables": _counts(),
        "audit_head": _audit_head(), "evidence": _evidence_hashes(),
        "documents": {str(i): sha for i, sha in db.session.execute(
            select(Document.id, Document.sha256).where(Document.sha256.is_not(None))
            .order_by(Document.id))},
    }


# -- create ------------------------------------------------------------------------------------


def create(output: Path) -> dict:
    """Write the archive to ``output`` (through a temporary name, so a failed backup leaves
    no archive that looks complete); returns the manifest."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent) as work:
        work = Path(work)
        # the manifest describes the database copy: both are taken before the files
        info = manifest()
        db.session.rollback()
        dump = _dump_database(work)
        partial = work / "archive.tar"
        with tarfile.open(partial, "w") as tar:
            tar.add(dump, arcname=dump.name)
            storage = Path(current_app.config["STORAGE_DIR"])
            for path in sorted(storage.rglob("*")) if storage.exists() else ():
                if path.is_file() and not path.name.endswith(".part"):
                    tar.add(path, arcname=f"storage/{path.relative_to(storage).as_posix()}")
            data = json.dumps(info, ensure_ascii=False, indent=1).encode()
            entry = tarfile.TarInfo("manifest.json")
            entry.size = len(data)
            entry.mtime = int(datetime.now(UTC).timestamp())
            tar.addfile(entry, io.BytesIO(data))
        os.replace(partial, output)
    return info


def _dump_database(work: Path) -> Path:
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        target = work / "database.sqlite3"
        source = sqlite3.connect(url.database)
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target
    if url.get_backend_name() == "postgresql":
        target = work / "database.dump"
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              "--file", str(target), "--dbname", _libpq(url)])
        return target
    raise BackupError(f"no backup method for {url.get_backend_name()}")


def _libpq(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client)")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


# -- restore -----------------------------------------------------------------------------------


def restore(archive: Path) -> CheckReport:
    """Restore the archive into this instance's (empty) database and storage, then check it."""
    storage = Path(current_app.config["STORAGE_DIR"])
    if _tables():
        raise BackupError("the database is not empty: restore only into a new database")
    if storage.exists() and any(storage.iterdir()):
        raise BackupError(f"{storage} is not empty: restore only into an empty STORAGE_DIR")
    db.session.remove()
    with tarfile.open(archive, "r") as tar, tempfile.TemporaryDirectory() as work:
        members = {m.name: m for m in tar.getmembers()}
        if "manifest.json" not in members:
            raise BackupError("not a backup archive: manifest.json is missing")
        info = json.load(tar.extractfile(members["manifest.json"]))
        if info.get("format") != FORMAT:
            raise BackupError(f"unknown backup format {info.get('format')}")
        _restore_database(tar, members, Path(work), info["dialect"])
        storage.mkdir(parents=True, exist_ok=True)
        for name, member in members.items():
            if not name.startswith("storage/") or not member.isfile():
                continue
            relative = Path(name).relative_to("storage")
            if ".." in relative.parts or relative.is_absolute():
                raise BackupError(f"refused path in archive: {name}")
            target = storage / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out, CHUNK)
    db.engine.dispose()
    return check(info)


def _restore_database(tar, members, work: Path, dialect: str) -> None:
    url = db.engine.url
    if dialect != url.get_backend_name():
        raise BackupError(f"the archive holds a {dialect} database; this instance uses "
                          f"{url.get_backend_name()}")
    if dialect == "sqlite":
        source = _extract(tar, members["database.sqlite3"], work)
        db.engine.dispose()
        target = sqlite3.connect(url.database)
        copy = sqlite3.connect(source)
        try:
            with target:
                copy.backup(target)
        finally:
            copy.close()
            target.close()
    else:
        dump = _extract(tar, members["database.dump"], work)
        db.engine.dispose()
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", "--dbname", _libpq(url), str(dump)])


def _extract(tar, member, work: Path) -> Path:
    target = work / Path(member.name).name
    with tar.extractfile(member) as src, open(target, "wb") as out:
        shutil.copyfileobj(src, out, CHUNK)
    return target


# -- check ---------------------------------------------------------------------------------------


def check(info: dict) -> CheckReport:
    """This instance against a manifest: every table's rows, the audit head and chain, every
    evidence file's and every document's SHA-256."""
    from enforcement.audit.services import verify_chain
    from enforcement.documents.models import Document
    from enforcement.evidence.storage import get_storage

    report = CheckReport()
    counts = _counts()
    report.tables, report.rows = len(counts), sum(counts.values())
    for table, expected in info["tables"].items():
        if counts.get(table) != expected:
            report.problems.append(f"table {table}: {counts.get(table)} rows, "
                                   f"expected {expected}")
    head = _audit_head()
    if head != info["audit_head"]:
        report.problems.append(f"audit head {head}, expected {info['audit_head']}")
    chain = verify_chain()
    if not chain.ok:
        report.problems.append(f"audit chain broken at {chain.first_broken_seq}: "
                               f"{chain.problem}")
    storage = get_storage()
    for key, expected in info["evidence"].items():
        try:
            data = storage.read(key)  # 20 MB at most (evidence checks)
        except FileNotFoundError:
            report.problems.append(f"evidence file {key} is missing")
            continue
        if hashlib.sha256(data).hexdigest() != expected:
            report.problems.append(f"evidence file {key} does not match its hash")
        report.files += 1
    for document_id, expected in info["documents"].items():
        pdf = db.session.scalar(select(Document.pdf).where(Document.id == int(document_id)))
        if pdf is None or hashlib.sha256(pdf).hexdigest() != expected:
            report.problems.append(f"document {document_id} does not match its hash")
        report.documents += 1
    db.session.rollback()
    return report


# -- command line --------------------------------------------------------------------------------

backup = AppGroup("backup", help="Back up and restore the database and the evidence files.")


@backup.command("create")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="archive to write (default: instance/backups/backup-<UTC time>.tar)")
def backup_create(output):
    """Write a consistent archive of the database and STORAGE_DIR, with a manifest."""
    if output is None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        output = Path(current_app.instance_path) / "backups" / f"backup-{stamp}.tar"
    try:
        info = create(output)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written: {output} ({len(info['tables'])} tables, "
               f"{sum(info['tables'].values())} rows, {len(info['evidence'])} evidence files, "
               f"audit head {info['audit_head']['seq']})")


def _echo(report: CheckReport) -> None:
    click.echo(f"checked: {report.tables} tables, {report.rows} rows, {report.files} evidence "
               f"files, {report.documents} documents")
    for problem in report.problems:
        click.echo(f"PROBLEM: {problem}", err=True)
    click.echo("restore check: OK" if report.ok else "restore check: FAILED")


@backup.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def backup_restore(archive):
    """Restore ARCHIVE into this (new, empty) database and STORAGE_DIR, then check it."""
    try:
        report = restore(archive)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    _echo(report)
    if not report.ok:
        raise SystemExit(1)


@backup.command("check")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def backup_check(archive):
    """Compare this instance with the manifest of ARCHIVE (after a restore)."""
    with tarfile.open(archive, "r") as tar:
        info = json.load(tar.extractfile("manifest.json"))
    report = check(info)
    _echo(report)
    if not report.ok:
        raise SystemExit(1)
