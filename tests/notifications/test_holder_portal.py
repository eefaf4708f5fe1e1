"""The rights holder's portal: it answers an identification request (the clocks resume),
asks for mediation; another holder sees and changes nothing."""
import io
import re

from PIL import Image
from sqlalchemy import func, select

from enforcement.cases.models import Case, CaseEvent
from enforcement.clocks.models import ClockEvent, ClockEventKind, ClockStatus
from enforcement.evidence.models import Evidence
from enforcement.extensions import db
from enforcement.notifications.queries import pending_mediation_requests
from tests.clocks.helpers import clock
from tests.conftest import user
from tests.notifications.helpers import (
    PARTY_NAME,
    act,
    ask_identification,
    jpeg_with_exif,
    messages,
    today_filed,
)
from tests.web import logged_in

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 200


def asked_case() -> int:
    case_id = today_filed()
    ask_identification(case_id, photos=[("seized.jpg", jpeg_with_exif())])
    return case_id


def photo_ids(case_id) -> list[int]:
    data = db.session.scalar(select(CaseEvent.data).where(
        CaseEvent.case_id == case_id, CaseEvent.action == "request_identification"))
    return [p["id"] for p in data["photos"]]


def evidence_count(case_id) -> int:
    return db.session.scalar(select(func.count(Evidence.id)).where(Evidence.case_id == case_id))


def test_holder_answers_in_the_portal_and_the_clocks_resume(app):
    case_id = asked_case()
    assert clock(case_id, "decision").status is ClockStatus.paused
    holder = logged_in(app, "holder_hetao")

    tasks = holder.client.get("/holder/").get_data(as_text=True)
    assert f'data-case-id="{case_id}"' in tasks and "协助辨认" in tasks
    page = holder.client.get(f"/holder/identification/{case_id}").get_data(as_text=True)
    assert "查获的“河套”面粉 20 袋" in page and PARTY_NAME not in page
    [photo_id] = photo_ids(case_id)
    photo = holder.client.get(f"/holder/identification/{case_id}/photos/{photo_id}")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert dict(Image.open(io.BytesIO(photo.data)).getexif()) == {}  # the pixels only
    assert f"/holder/identification/{case_id}/photos/{photo_id}" in page

    # the same evidence checks as the inspectors': a renamed executable is refused
    stored = evidence_count(case_id)
    version = db.session.get(Case, case_id).version
    refused = holder.post(f"/holder/identification/{case_id}", {
        "version": version, "genuine": "counterfeit", "opinion": "系假冒。",
        "files": (io.BytesIO(EXE), "意见.pdf")}, token_from=f"/holder/identification/{case_id}")
    assert refused.status_code == 422
    assert evidence_count(case_id) == stored
    assert clock(case_id, "decision").status is ClockStatus.paused

    answered = holder.post(f"/holder/identification/{case_id}", {
        "version": version, "genuine": "counterfeit",
        "opinion": "包装印刷粗糙，非我会许可企业生产，系假冒注册商标的商品。",
        "files": (io.BytesIO(PDF), "辨认意见书.pdf")},
        token_from=f"/holder/identification/{case_id}")
    assert answered.status_code == 303
    event = db.session.scalar(select(CaseEvent).where(
        CaseEvent.case_id == case_id, CaseEvent.action == "record_identification"))
    assert event.actor_id == user("holder_hetao").id and event.data["genuine"] == "counterfeit"
    assert [f["name"] for f in event.data["files"]] == ["辨认意见书.pdf"]
    assert evidence_count(case_id) == stored + 1
    # both clocks the request paused run again, the resume recorded against the holder
    for kind in ("decision",):
        assert clock(case_id, kind).status is ClockStatus.running
        resume = db.session.scalar(select(ClockEvent).where(
            ClockEvent.clock_id == clock(case_id, kind).id,
            ClockEvent.kind == ClockEventKind.resume))
        assert resume.actor_id == user("holder_hetao").id
    tasks = holder.client.get("/holder/").get_data(as_text=True)
    assert f'data-case-id="{case_id}"' not in tasks


def test_another_holder_can_neither_see_nor_answer(app):
    case_id = asked_case()
    [photo_id] = photo_ids(case_id)
    version = db.session.get(Case, case_id).version
    other = logged_in(app, "holder_weixin")
    assert f'data-case-id="{case_id}"' not in other.client.get("/holder/").get_data(as_text=True)
    for path in (f"/holder/identification/{case_id}",
                 f"/holder/identification/{case_id}/photos/{photo_id}",
                 f"/holder/cases/{case_id}/mediation"):
        assert other.client.get(path).status_code == 404, path
    # the bureau's case file is never a portal account's: it is sent back to its own pages
    case_page = other.client.get(f"/cases/{case_id}")
    assert case_page.status_code == 302 and case_page.headers["Location"].endswith("/holder/")
    posted = other.post(f"/holder/identification/{case_id}", {
        "version": version, "genuine": "genuine", "opinion": "冒充答复。"}, token_from="/holder/")
    assert posted.status_code == 404
    assert db.session.get(Case, case_id).version == version
    assert clock(case_id, "decision").status is ClockStatus.paused
    # staff are not rights holders: the portal is not theirs; strangers must log in first
    assert logged_in(app, "linhe_inspector1").client.get("/holder/").status_code == 403
    assert app.test_client().get(f"/holder/identification/{case_id}").status_code == 302


def test_holder_asks_for_mediation_and_reads_the_answer(app):
    case_id = today_filed()
    holder = logged_in(app, "holder_hetao")
    assert f'data-mediable="{case_id}"' in holder.client.get("/holder/").get_data(as_text=True)
    path = f"/holder/cases/{case_id}/mediation"
    version = db.session.get(Case, case_id).version
    invalid = holder.post(path, {"version": version, "amount": "很多", "reasons": ""})
    assert invalid.status_code == 422
    assert pending_mediation_requests(user("linhe_inspector1")) == []

    asked = holder.post(path, {"version": version, "amount": "50000",
                               "reasons": "侵权人长期销售假冒面粉，请求赔偿损失。"})
    assert asked.status_code == 303
    [pending] = pending_mediation_requests(user("linhe_inspector1"))
    assert pending.case.id == case_id and pending.reasons.startswith("侵权人长期")
    page = holder.client.get(path).get_data(as_text=True)
    assert "已有调解申请正在处理" in page  # no second request meanwhile

    act(case_id, "record_mediation", "linhe_inspector1", outcome="failed",
        note="侵权人不同意赔偿。")
    page = holder.client.get(path).get_data(as_text=True)
    assert "调解不成" in page and "侵权人不同意赔偿。" in page
    inbox = holder.client.get("/holder/messages").get_data(as_text=True)
    assert "赔偿数额调解结果告知" in inbox and "向人民法院起诉" in inbox
    assert re.search(r'data-field="unread">\d+<', inbox)
    holder.post("/holder/messages/read", {}, token_from="/holder/messages")
    assert 'data-field="unread"' not in holder.client.get("/holder/messages").get_data(
        as_text=True)
    assert all(m.read_at for m in messages(case_id, recipient=f"user:{user('holder_hetao').id}"))
