"""Evidence uploads: checked by content, stored with their hash, read back verified."""
import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict

from enforcement.audit.models import AuditEntry
from enforcement.cases import services
from enforcement.cases.models import CaseEvent
from enforcement.errors import Invalid, NotFound
from enforcement.evidence.models import Evidence
from enforcement.extensions import db
from tests.conftest import case_in_state, user
from tests.web import ApiUser, logged_in


def jpeg(width=64, height=48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (180, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def upload(case, actor, *files, title="现场照片"):
    items = [("title", title)] + [("files", FileStorage(io.BytesIO(data), filename=name))
                                  for name, data in files]
    return services.perform(case.id, "record_evidence", actor, MultiDict(items),
                            expected_version=case.version)


def stored_files(app) -> list[Path]:
    root = Path(app.config["STORAGE_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_photos_and_pdfs_are_stored_with_their_hash(app):
    case = case_in_state("investigating")
    photo = jpeg()
    outcome = upload(case, user("linhe_inspector1"), ("现场.jpg", photo), ("receipt.pdf", PDF))
    rows = db.session.scalars(select(Evidence).where(Evidence.case_id == case.id)).all()
    assert [(r.original_name, r.content_type) for r in rows] == [
        ("现场.jpg", "image/jpeg"), ("receipt.pdf", "application/pdf")]
    assert rows[0].sha256 == hashlib.sha256(photo).hexdigest()
    assert [f["sha256"] for f in outcome.event.data["files"]] == [r.sha256 for r in rows]
    assert len(stored_files(app)) == 2


@pytest.mark.parametrize("name,data,message", [
    ("photo.jpg", b"MZ\x90\x00 this is an executable", "不是可识别的照片或 PDF 文件"),
    ("scan.pdf", b"%PDF-1.4\ntruncated", "不是完整的 PDF 文件"),
    ("empty.png", b"", "是空的"),
])
def test_uploads_are_judged_by_content_not_by_name(app, name, data, message):
    case = case_in_state("investigating")
    with pytest.raises(Invalid) as refused:
        upload(case, user("linhe_inspector1"), (name, data))
    assert message in " ".join(refused.value.errors["files"])
    assert db.session.scalar(select(func.count(Evidence.id))) == 0
    assert stored_files(app) == []


def test_a_decompression_bomb_is_refused_before_decoding(app):
    buffer = io.BytesIO()
    Image.new("1", (12000, 10000)).save(buffer, "PNG")  # 120 million pixels, a few KB
    case = case_in_state("investigating")
    with pytest.raises(Invalid) as refused:
        upload(case, user("linhe_inspector1"), ("bomb.png", buffer.getvalue()))
    assert "像素过大" in " ".join(refused.value.errors["files"])


def test_an_oversized_file_is_refused(app):
    case = case_in_state("investigating")
    with pytest.raises(Invalid) as refused:
        upload(case, user("linhe_inspector1"), ("big.pdf", PDF + b"0" * (20 * 1024 * 1024)))
    assert "超过 20 MB" in " ".join(refused.value.errors["files"])


def test_a_failed_action_leaves_no_file_behind(app, monkeypatch):
    case = case_in_state("investigating")
    events_before = db.session.scalar(select(func.count(CaseEvent.id)))

    def crash(action, /, **kwargs):
        raise RuntimeError("disk full while auditing")

    monkeypatch.setattr("enforcement.cases.services.audit.record", crash)
    with pytest.raises(RuntimeError):
        upload(case, user("linhe_inspector1"), ("现场.jpg", jpeg()))
    assert stored_files(app) == []
    assert db.session.scalar(select(func.count(Evidence.id))) == 0
    assert db.session.scalar(select(func.count(CaseEvent.id))) == events_before


def test_download_checks_the_hash_and_is_audited(app):
    case = case_in_state("investigating")
    photo = jpeg()
    upload(case, user("linhe_inspector1"), ("现场.jpg", photo))
    evidence = db.session.scalar(select(Evidence).where(Evidence.case_id == case.id))
    url = f"/cases/{case.id}/evidence/{evidence.id}"
    client = logged_in(app, "linhe_inspector2").client
    response = client.get(url)
    assert response.status_code == 200 and response.data == photo
    assert response.headers["Content-Type"] == "image/jpeg"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "evidence.download")) == 1

    (path,) = stored_files(app)
    path.write_bytes(photo[:-1] + b"\x00")  # bit rot, or tampering on the disk
    assert client.get(url).status_code == 409
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "evidence.integrity_failed")) == 1


def test_evidence_of_another_unit_is_invisible(app):
    case = case_in_state("investigating")
    upload(case, user("linhe_inspector1"), ("现场.jpg", jpeg()))
    evidence = db.session.scalar(select(Evidence).where(Evidence.case_id == case.id))
    foreign = logged_in(app, "wuyuan_inspector1").client
    assert foreign.get(f"/cases/{case.id}/evidence/{evidence.id}").status_code == 404
    with pytest.raises(NotFound):
        upload(db.session.get(type(case), case.id), user("wuyuan_inspector1"),
               ("x.jpg", jpeg()))


def test_the_police_open_the_evidence_of_a_transfer_and_the_court_does_not(app):
    referred = case_in_state("referred")
    # evidence gathered before the transfer travels with it (Decree 310 Art. 6)
    evidence = Evidence(case_id=referred.id, original_name="a.pdf",
                        content_type="application/pdf", size=len(PDF),
                        sha256=hashlib.sha256(PDF).hexdigest(), storage_key="0" * 40)
    db.session.add(evidence)
    db.session.commit()
    root = Path(app.config["STORAGE_DIR"]) / "00"
    root.mkdir(parents=True)
    (root / ("0" * 40)).write_bytes(PDF)
    url = f"/cases/{referred.id}/evidence/{evidence.id}"
    assert logged_in(app, "police_linhe").client.get(url).data == PDF
    assert logged_in(app, "court_linhe").client.get(url).status_code == 404


def test_the_api_takes_evidence_as_multipart(app):
    case = case_in_state("investigating")
    case_id, version = case.id, case.version
    api = ApiUser(app, "linhe_inspector1")
    response = api.post(f"/api/v1/cases/{case_id}/evidence",
                        data={"title": "购买凭证", "files": (io.BytesIO(PDF), "凭证.pdf")},
                        headers={"If-Match": f'"{version}"'},
                        content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["version"] == version + 1
    assert db.session.scalar(select(Evidence.original_name)) == "凭证.pdf"


@pytest.mark.parametrize("title, name", [("现场\x00照片", "现场.pdf"), ("现场照片", "现\x00场.pdf")],
                         ids=["in the title", "in the file name"])
def test_a_nul_character_in_an_evidence_upload_is_refused_and_changes_nothing(app, title, name):
    case = case_in_state("investigating")
    case_id, version = case.id, case.version
    evidence_before = db.session.scalar(select(func.count()).select_from(Evidence))
    browser = logged_in(app, "linhe_inspector1")
    web = browser.post(f"/cases/{case_id}/actions/record_evidence",
                       {"version": str(version), "title": title,
                        "files": (io.BytesIO(PDF), name)},
                       token_from=f"/cases/{case_id}/actions/record_evidence")
    api = ApiUser(app, "linhe_inspector1").post(
        f"/api/v1/cases/{case_id}/evidence", data={"title": title, "files": (io.BytesIO(PDF), name)},
        headers={"If-Match": f'"{version}"'}, content_type="multipart/form-data")
    assert web.status_code == 400 and "空字符" in web.get_data(as_text=True)
    assert api.status_code == 400 and api.get_json()["error"]["code"] == "nul_character"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == evidence_before
    assert db.session.get(type(case), case_id).version == version
    assert stored_files(app) == []
