"""Faults (issue 10 item 5): nothing half-written, nothing lost, nothing twice.

* the database connection killed between an action's writes and its commit: no row of the
  action, no orphan file, a clear error page;
* the storage volume full during an upload (a real tmpfs of a few hundred KB): a clear Chinese
  refusal, no row, no partial file, and the next upload works;
* the render worker (``flask documents render-pending``) SIGKILLed in the middle of a PDF: the
  document stays pending, whole; the next run renders it once;
* the outbox deliverer (``flask outbox deliver``) SIGKILLed after its claim and inside the SMTP
  hand-over: every message reaches the SMTP server exactly once.

Each runs on SQLite and on PostgreSQL (``TEST_DATABASE_URL``). The processes that are killed
are real ones (subprocesses of the CLI), the SMTP server is aiosmtpd on the loopback.
"""
import hashlib
import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import event, func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from enforcement.audit.models import AuditEntry
from enforcement.cases.models import Case, CaseEvent
from enforcement.clocks.models import ClockEvent
from enforcement.db import local_today
from enforcement.documents.models import Document, NumberSequence
from enforcement.evidence.models import Evidence
from enforcement.extensions import db
from enforcement.outbox.models import MessageStatus, OutboxMessage
from enforcement.reports.models import Report
from tests.conftest import CSRF_RE, case_in_state
from tests.notifications.conftest import Mailbox, free_port
from tests.notifications.helpers import today_filed
from tests.reports.helpers import payload
from tests.web import logged_in

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))
#: the answer of the 500 page: the action did not happen, nothing changed
NOTHING_CHANGED = "系统发生错误，操作未完成，数据未被修改。请稍后重试。"
DISK_FULL = "服务器存储空间不足"
VERSION_RE = r'name="version" value="(\d+)"'


def jpeg(shade: int = 40) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (180, shade, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def pdf(size: int) -> bytes:
    """A complete PDF (it passes the content checks) of about ``size`` bytes."""
    head = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    tail = b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    padding = b"% scanned receipt page padding\n" * (size // 31)
    return head + padding + tail


def storage_tree(app) -> list[str]:
    """Every file under STORAGE_DIR (temporary ``.part`` names included), relative."""
    root = Path(app.config["STORAGE_DIR"])
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def footprint(case_id: int) -> dict:
    """What an action writes: the case's state and version, and the rows of every kind."""
    db.session.rollback()
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    counted = {model.__name__: db.session.scalar(select(func.count()).select_from(model))
               for model in (CaseEvent, Document, Evidence, OutboxMessage, AuditEntry,
                             ClockEvent, Report)}
    numbers = db.session.scalar(select(func.coalesce(func.sum(NumberSequence.last_value), 0)))
    seen = {"state": case.state.value, "version": case.version, "numbers": numbers, **counted}
    db.session.rollback()
    return seen


def every_evidence_file_is_there(app) -> None:
    """No row points at a missing file, and every file is the one its row's hash names."""
    root = Path(app.config["STORAGE_DIR"])
    for row in db.session.scalars(select(Evidence)):
        path = root / row.storage_key[:2] / row.storage_key
        assert path.is_file(), f"evidence {row.id} points at a missing file"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row.sha256


def action_form(client, case_id: int, action: str) -> tuple[str, str]:
    """The CSRF token and case version of an action's form, as a browser would see them."""
    html = client.get(f"/cases/{case_id}/actions/{action}").get_data(as_text=True)
    return CSRF_RE.search(html).group(1), re.search(VERSION_RE, html).group(1)


def send_form(client, path: str, fields: dict, files: dict[str, list[tuple[str, bytes]]]):
    """POST a multipart form encoded in memory (the test client would spool a large body to
    a temporary file it never closes)."""
    values = {**fields, **{name: [FileStorage(io.BytesIO(data), filename=filename)
                                  for filename, data in items]
                           for name, items in files.items()}}
    boundary, body = encode_multipart(values)
    return client.post(path, data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def ask_identification(client, case_id: int, photos: list[tuple[str, bytes]]):
    token, version = action_form(client, case_id, "request_identification")
    return send_form(client, f"/cases/{case_id}/actions/request_identification", {
        "csrf_token": token, "version": version,
        "items": "查获的“河套”面粉 20 袋，请辨认包装及标识",
        "reply_by": (local_today() + timedelta(days=15)).isoformat()},
        {"photos": photos})


def upload_evidence(client, case_id: int, files: list[tuple[str, bytes]]):
    token, version = action_form(client, case_id, "record_evidence")
    return send_form(client, f"/cases/{case_id}/actions/record_evidence", {
        "csrf_token": token, "version": version, "title": "现场照片及票据"}, {"files": files})


# -- 1. the connection killed between the writes and the commit ------------------------------


def _postgres_dsn(app) -> str:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class ConnectionKiller:
    """A ``before_commit`` hook that kills the session's database connection once, at the
    commit of the first transaction that has stored files (the action's writes are flushed,
    its files are on disk): PostgreSQL terminates the backend from a second connection
    (``pg_terminate_backend``), SQLite has its connection closed under it."""

    def __init__(self, app):
        self.app = app
        self.fired = False
        self.files_at_kill: list[str] = []

    def __enter__(self):
        event.listen(Session, "before_commit", self)
        return self

    def __exit__(self, *exc):
        event.remove(Session, "before_commit", self)

    def __call__(self, session):
        if self.fired or not session.info.get("new_storage_keys"):
            return
        self.fired = True
        session.flush()  # everything the action wrote has reached the server
        self.files_at_kill = storage_tree(self.app)
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with psycopg.connect(_postgres_dsn(self.app), autocommit=True) as other:
                # the second argument: wait (ms) until the backend has really gone
                killed = other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()
            assert killed == (True,)
        else:
            connection.connection.dbapi_connection.close()


def test_a_connection_killed_before_commit_leaves_no_row_and_no_file(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page answers
    # a filed case about the 河套 mark: asking its holder (who has an account) writes an
    # event, a numbered notice, evidence, clock pauses, a message and an audit row
    case_id = today_filed()
    client = logged_in(app, "linhe_inspector1").client
    before, files_before = footprint(case_id), storage_tree(app)
    photos = [("查获商品1.jpg", jpeg(10)), ("查获商品2.jpg", jpeg(90))]

    with ConnectionKiller(app) as killer:
        response = ask_identification(client, case_id, photos)

    assert killer.fired
    assert len(killer.files_at_kill) == len(files_before) + 2  # the photos were on disk
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert NOTHING_CHANGED in page and "Traceback" not in page
    # no event, document, number, evidence, clock event, outbox message or audit row
    assert footprint(case_id) == before
    assert storage_tree(app) == files_before  # and no orphan file

    # the app works afterwards: the same request goes through, whole
    response = ask_identification(client, case_id, photos)
    assert response.status_code == 303, response.get_data(as_text=True)
    after = footprint(case_id)
    assert after["version"] == before["version"] + 1
    assert (after["CaseEvent"], after["Evidence"], after["Document"]) == (
        before["CaseEvent"] + 1, before["Evidence"] + 2, before["Document"] + 1)
    assert after["numbers"] == before["numbers"] + 1  # the notice's number, taken once
    # the action writes every kind of row the killed one left out
    assert all(after[kind] > before[kind]
               for kind in ("OutboxMessage", "AuditEntry", "ClockEvent")), (before, after)
    assert len(storage_tree(app)) == len(files_before) + 2
    every_evidence_file_is_there(app)


# -- 2. a full disk during an upload ----------------------------------------------------------


@pytest.fixture
def small_volume(app, tmp_path):
    """STORAGE_DIR on a real 512 KB tmpfs: a write past it fails with ENOSPC.

    Mounting needs root (the test machine and CI run as root); a refused mount fails the
    test rather than faking the fault."""
    mount_point = tmp_path / "small-volume"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k,mode=0700", "tmpfs",
                           str(mount_point)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"cannot mount a small tmpfs for the full-disk test: {done.stderr}")
    app.config["STORAGE_DIR"] = str(mount_point / "storage")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "--lazy", str(mount_point)], check=True)


def test_a_full_disk_refuses_the_evidence_upload_and_keeps_nothing(app, small_volume):
    client = logged_in(app, "linhe_inspector1").client
    case_id = case_in_state("investigating").id
    before = footprint(case_id)
    # the first file fits, the second does not: the first must go too
    files = [("现场.jpg", jpeg()), ("进货票据.pdf", pdf(2 * 1024 * 1024))]

    response = upload_evidence(client, case_id, files)

    page = response.get_data(as_text=True)
    assert response.status_code == 507, page
    assert DISK_FULL in page and "Traceback" not in page
    assert 'name="title"' in page  # the form again, with what was typed
    assert footprint(case_id) == before
    assert storage_tree(app) == []  # neither the first file nor the half-written second

    # the app works afterwards: what fits is stored
    response = upload_evidence(client, case_id, [("现场.jpg", jpeg()),
                                                 ("票据.pdf", pdf(100 * 1024))])
    assert response.status_code == 303
    assert footprint(case_id)["Evidence"] == before["Evidence"] + 2
    assert len(storage_tree(app)) == 2
    every_evidence_file_is_there(app)


def portal_post(client, files, **changes):
    html = client.get("/portal/report").get_data(as_text=True)
    token = CSRF_RE.search(html).group(1) if CSRF_RE.search(html) else ""
    form_token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    data = payload(**changes)
    fields = {"csrf_token": token, "form_token": form_token,
              "trademark-registration_no": data["trademark"]["registration_no"],
              "infringer-name": data["infringer"]["name"],
              "infringer-district": data["infringer"]["district"],
              "infringer-address": data["infringer"]["address"],
              "description": data["description"], "found_on": data["found_on"],
              "location": data["location"], "goods-0-name": "雪花粉",
              "goods-0-quantity": "30", "goods-0-unit": "袋",
              "reporter-name": "王某", "reporter-phone": "13904780001"}
    return send_form(client, "/portal/report", fields, {"evidence": files})


def test_a_full_disk_refuses_the_portal_report_and_keeps_nothing(app, client, small_volume):
    case_id = case_in_state("investigating").id
    before = footprint(case_id)
    files = [("照片.jpg", jpeg()), ("购物凭证.pdf", pdf(2 * 1024 * 1024))]

    response = portal_post(client, files)

    page = response.get_data(as_text=True)
    assert response.status_code == 507, page
    assert DISK_FULL in page and "Traceback" not in page
    assert footprint(case_id) == before  # no report, no case, no evidence
    assert storage_tree(app) == []

    response = portal_post(client, [("照片.jpg", jpeg())])
    assert response.status_code == 303, response.get_data(as_text=True)
    after = footprint(case_id)
    assert (after["Report"], after["Evidence"]) == (before["Report"] + 1,
                                                     before["Evidence"] + 1)
    assert len(storage_tree(app)) == 1
    every_evidence_file_is_there(app)


# -- 3. the render worker killed in the middle of a PDF ---------------------------------------


def cli_env(app) -> dict:
    """The environment of a ``flask`` subprocess working on this test's database and files."""
    return {**os.environ, "FLASK_APP": "wsgi", "SECRET_KEY": app.config["SECRET_KEY"],
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "STORAGE_DIR": app.config["STORAGE_DIR"],
            **{name: str(app.config[name]) for name in (
                "OUTBOX_LEASE_SECONDS", "SMTP_HOST", "SMTP_PORT", "SMTP_FROM", "SMTP_TIMEOUT")},
            "SMTP_STARTTLS": "1" if app.config["SMTP_STARTTLS"] else "0"}


def start_cli(app, *args) -> subprocess.Popen:
    db.session.rollback()  # hold no transaction (on SQLite: no lock) while it works
    return subprocess.Popen([FLASK, *args], cwd=ROOT, env=cli_env(app), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def run_flask(app, *args) -> subprocess.CompletedProcess:
    db.session.rollback()
    return subprocess.run([FLASK, *args], cwd=ROOT, env=cli_env(app), text=True,
                          capture_output=True, timeout=300)


def run_cli(app, *args) -> str:
    done = run_flask(app, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


class Peek:
    """Reads committed rows on a connection of its own that takes no lock (the worker's
    SQLite transactions are BEGIN IMMEDIATE, and the app session's would queue on them)."""

    def __init__(self, app):
        url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        if url.get_backend_name() == "sqlite":
            self.connection = sqlite3.connect(url.database, isolation_level=None)
            self.query = "SELECT render_pending FROM documents WHERE id = ?"
        else:
            self.connection = psycopg.connect(_postgres_dsn(app), autocommit=True)
            self.query = "SELECT render_pending FROM documents WHERE id = %s"

    def pending(self, ids) -> set[int]:
        return {document_id for document_id in ids
                if self.connection.execute(self.query, [document_id]).fetchone()[0]}

    def close(self):
        self.connection.close()


def filed_documents(filed) -> list[int]:
    db.session.rollback()
    report = db.session.get(Report, filed.report.id)
    return list(db.session.scalars(select(Document.id).where(
        Document.case_id == report.case_id).order_by(Document.id)))


#: 329 paragraphs (the 2000 characters a report may have): a 举报登记表 of many pages, which
#: the retry must store whole
LONG_DESCRIPTION = "\n".join(f"第{n}袋" for n in range(1, 330))


def test_a_render_worker_killed_mid_pdf_leaves_it_pending_and_the_retry_renders_once(app):
    from enforcement.reports import services as reports

    small = filed_documents(reports.file_report(payload()))
    big = filed_documents(reports.file_report(payload(
        infringer={"name": "临河区另一家粮油批发部", "address": "临河区胜利路8号",
                   "district": "linhe"},
        description=LONG_DESCRIPTION)))
    case_id = db.session.get(Document, big[0]).case_id
    before, files_before = footprint(case_id), storage_tree(app)
    numbers_before = {d.id: d.number for d in db.session.scalars(
        select(Document).where(Document.id.in_(small + big)))}
    peek = Peek(app)
    try:
        assert peek.pending(small + big) == set(small + big)
        worker = start_cli(app, "documents", "render-pending")
        pdf_processes = []
        try:
            # a render takes a few tenths of a second: the worker's PDF process is stopped as
            # soon as it starts, so that the worker surely dies with a render under way
            wait_for(lambda: children(worker.pid), 120, "the PDF process")
            pdf_processes = children(worker.pid)
            for pid in pdf_processes:
                os.kill(pid, signal.SIGSTOP)
            time.sleep(0.5)
            assert worker.poll() is None
            worker.send_signal(signal.SIGKILL)
        finally:
            if worker.poll() is None:
                worker.kill()
            worker.wait(timeout=30)
            for pid in pdf_processes:  # let them go on (they hold the worker's pipes too)
                if alive(pid):
                    os.kill(pid, signal.SIGCONT)
            worker.communicate(timeout=60)  # reaps it and closes its pipes
        assert worker.returncode == -signal.SIGKILL
        # killed before it could store the long document: pending, no PDF, no hash
        assert peek.pending(big) == set(big)
    finally:
        peek.close()
    db.session.rollback()
    killed = db.session.get(Document, big[0])
    assert (killed.pdf, killed.sha256, killed.page_count) == (None, None, None)
    # the PDF process, held with its render under way when its parent died, ends by itself
    assert pdf_processes, "the worker had no PDF process"
    wait_for(lambda: not any(alive(pid) for pid in pdf_processes), 120, "the PDF process")

    output = run_cli(app, "documents", "render-pending")
    assert "documents rendered:" in output

    db.session.rollback()
    db.session.expire_all()
    for document in db.session.scalars(select(Document).where(Document.id.in_(small + big))):
        assert not document.render_pending
        assert document.pdf.startswith(b"%PDF-") and document.pdf.rstrip().endswith(b"%%EOF")
        assert hashlib.sha256(document.pdf).hexdigest() == document.sha256
        assert document.page_count >= 1
        assert document.number == numbers_before[document.id]
    assert db.session.get(Document, big[0]).page_count > 1  # the long one, whole
    # one row per document, no number drawn, nothing written to the storage volume
    assert footprint(case_id) == before
    assert storage_tree(app) == files_before


# -- 4. the outbox deliverer killed after its claim and during the hand-over ------------------


class CrashPoint(Mailbox):
    """An SMTP server that holds the first conversation at a given point while the test
    kills the deliverer: ``envelope`` — at the recipient, before any of the message was sent;
    ``data`` — after it has received and kept the whole message, before it answers 250."""

    def __init__(self, phase: str):
        super().__init__()
        self.phase = phase
        self.reached, self.release = threading.Event(), threading.Event()

    def _hold(self, phase: str) -> None:
        if self.phase == phase and not self.reached.is_set():
            self.reached.set()
            self.release.wait(120)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        envelope.rcpt_tos.append(address)
        self._hold("envelope")
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        self._hold("data")  # the message is kept; the deliverer waits for this answer
        return answer


@pytest.fixture(params=["envelope", "data"])
def crash_point(request, app):
    mailbox = CrashPoint(request.param)
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_STARTTLS=False,
                      SMTP_FROM="noreply@amr.bayannur.example", SMTP_TIMEOUT=60)
    try:
        yield mailbox
    finally:
        mailbox.release.set()
        controller.stop()


def outbox_rows(ids) -> list[OutboxMessage]:
    db.session.rollback()
    db.session.expire_all()
    return [db.session.get(OutboxMessage, message_id) for message_id in ids]


def test_a_deliverer_killed_mid_send_delivers_each_message_once(app, crash_point):
    # only this test's messages are due (the demo's own are counted as sent)
    db.session.execute(update(OutboxMessage).where(OutboxMessage.status.in_(
        [MessageStatus.pending, MessageStatus.sending])).values(status=MessageStatus.sent))
    rows = [OutboxMessage(channel="email", recipient=f"reporter{i}@example.com",
                          subject=f"举报处理情况告知 {i}", body="您的举报已立案调查。",
                          topic="test") for i in range(3)]
    db.session.add_all(rows)
    db.session.commit()
    ids = [row.id for row in rows]
    first = ids[0]

    deliverer = start_cli(app, "outbox", "deliver")
    try:
        assert crash_point.reached.wait(240), "the deliverer never reached the server"
        deliverer.send_signal(signal.SIGKILL)
    finally:
        if deliverer.poll() is None:
            deliverer.kill()
        deliverer.communicate(timeout=30)
        crash_point.release.set()
    assert deliverer.returncode == -signal.SIGKILL

    # all three were claimed; the first was being handed over when the deliverer died
    states = [row.status for row in outbox_rows(ids)]
    if crash_point.phase == "envelope":
        assert states == [MessageStatus.sending] * 3
        assert crash_point.ids() == []
    else:
        assert states == [MessageStatus.handing_over] + [MessageStatus.sending] * 2
        assert crash_point.ids() == [f"<outbox-{first}@amr.bayannur.example>"]

    # the next run, once the dead deliverer's lease has run out
    app.config["OUTBOX_LEASE_SECONDS"] = 2
    time.sleep(2.5)
    done = run_flask(app, "outbox", "deliver")
    assert done.returncode == 0, done.stderr
    run_cli(app, "outbox", "deliver")  # and another: nothing more goes out

    # every message reached the server exactly once
    expected = sorted(f"<outbox-{message_id}@amr.bayannur.example>" for message_id in ids)
    assert sorted(crash_point.ids()) == expected
    rows = outbox_rows(ids)
    if crash_point.phase == "envelope":
        # nothing of it had left: sent again, safely
        assert "sent: 3," in done.stdout
        assert [row.status for row in rows] == [MessageStatus.sent] * 3
        return
    # it may have arrived: not resent, but shown for a person to settle
    assert "sent: 2," in done.stdout
    assert f"uncertain: {first} email reporter0@example.com" in done.stderr
    assert [row.status for row in rows] == [MessageStatus.uncertain] + [MessageStatus.sent] * 2
    assert "可能已收到" in rows[0].last_error
    assert f"message {first}: sent" in run_cli(app, "outbox", "settle", str(first),
                                               "--delivered")
    assert outbox_rows([first])[0].status is MessageStatus.sent
    assert len(crash_point.ids()) == 3
