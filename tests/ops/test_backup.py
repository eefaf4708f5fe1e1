"""The backup drill: back up a working instance, restore it into a fresh one, and find every
row, the audit chain's head and every evidence file and document as they were."""
import hashlib
import tarfile

from sqlalchemy import func, select

from enforcement import create_app
from enforcement.audit import services as audit
from enforcement.audit.models import AuditEntry, AuditHead
from enforcement.cases.models import Case
from enforcement.documents.models import Document
from enforcement.evidence.models import Evidence
from enforcement.evidence.storage import get_storage
from enforcement.extensions import db
from enforcement.reports import services as reports
from tests.reports.helpers import jpeg, payload, upload


def _state() -> dict:
    """What a restore must bring back, read independently of the backup module."""
    head = db.session.scalar(select(AuditHead))
    storage = get_storage()
    return {
        "cases": db.session.scalar(select(func.count()).select_from(Case)),
        "audit": db.session.scalar(select(func.count()).select_from(AuditEntry)),
        "head": (head.last_seq, head.last_hash),
        "evidence": {e.storage_key: hashlib.sha256(storage.read(e.storage_key)).hexdigest()
                     for e in db.session.scalars(select(Evidence))},
        "documents": {d.id: d.sha256 for d in db.session.scalars(select(Document))},
    }


def _restored_app(url, storage):
    return create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=url, STORAGE_DIR=storage)


def test_backup_restores_into_a_fresh_instance_intact(app, runner, tmp_path,
                                                      empty_database_url):
    reports.file_report(payload(), files=[upload(jpeg(), "现场.jpg")])
    audit.record("backup.drill", detail_note="before the backup")
    db.session.commit()
    before = _state()
    assert before["evidence"] and before["documents"] and before["cases"]
    archive = tmp_path / "backup.tar"
    result = runner.invoke(args=["backup", "create", "--output", str(archive)])
    assert result.exit_code == 0, result.output
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names
    assert {"database.sqlite3", "database.dump"} & set(names)
    assert len([n for n in names if n.startswith("storage/")]) >= len(before["evidence"])

    restored = _restored_app(empty_database_url, str(tmp_path / "restored-storage"))
    with restored.app_context():
        result = restored.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
        assert result.exit_code == 0, result.output
        assert "restore check: OK" in result.output
        after = _state()
        # the restored instance still verifies its chain, and goes on appending to it
        assert audit.verify_chain().ok
        audit.record("backup.drill", detail_note="after the restore")
        db.session.commit()
        assert audit.verify_chain().ok
        db.session.remove()
        db.engine.dispose()
    assert after == before


def test_a_damaged_file_or_a_used_database_is_reported(app, runner, tmp_path,
                                                       empty_database_url):
    reports.file_report(payload(), files=[upload(jpeg(), "现场.jpg")])
    archive = tmp_path / "backup.tar"
    assert runner.invoke(args=["backup", "create", "--output", str(archive)]).exit_code == 0
    # a database that is in use is never overwritten
    refused = runner.invoke(args=["backup", "restore", str(archive)])
    assert refused.exit_code != 0 and "not empty" in refused.output

    storage = tmp_path / "restored-storage"
    restored = _restored_app(empty_database_url, str(storage))
    with restored.app_context():
        cli = restored.test_cli_runner()
        assert cli.invoke(args=["backup", "restore", str(archive)]).exit_code == 0
        key = db.session.scalar(select(Evidence.storage_key).order_by(Evidence.id.desc()))
        damaged = storage / key[:2] / key
        damaged.write_bytes(damaged.read_bytes()[:-1] + b"\x00")
        result = cli.invoke(args=["backup", "check", str(archive)])
        assert result.exit_code == 1
        assert f"evidence file {key} does not match its hash" in result.output
        db.session.remove()
        db.engine.dispose()
