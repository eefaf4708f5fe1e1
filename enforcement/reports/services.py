"""Filing a report through the portal or the API, in two steps of one transaction each.

**Receiving** (:func:`receive`) checks the report and the filer, claims the idempotency key,
stores the evidence files and one row with what was submitted, and commits — or changes
nothing. It takes no lock and writes nothing shared, so a surge of reports is taken in at the
speed of a single insert; the reporter gets a tracking number and an access code at once.

**Registering** (:func:`register`) routes the report to the bureau with jurisdiction, registers
the case in ``registered`` with its verification clock counted from the day of receipt (or
links the report to an open case about the same infringer and mark), attaches the files,
issues the 举报登记表 and the 回执, audits, and commits. ``REPORT_REGISTRATION`` says when: at
once in the same request (``"request"``, the default) or by the worker (``"worker"``, ``flask
reports register-pending --loop``). Either way the reporter's receipt and status pages
register a report that is still waiting (:func:`ensure_registered`), so nobody depends on the
worker's timing. The two documents' PDFs are made after their transaction (deferred rendering,
documents.services.ensure_rendered), and the reporter's copy of the receipt is rendered on
demand from the frozen data (:func:`receipt_pdf`).
"""
import hashlib
import hmac
import json
import logging
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from enforcement.audit import services as audit
from enforcement.cases import intake
from enforcement.cases.models import Case, CaseMark, CaseParty, CaseSource
from enforcement.db import local_date, local_today, utcnow
from enforcement.documents import context
from enforcement.documents import services as documents
from enforcement.errors import DomainError, Invalid, Refused
from enforcement.evidence import checks
from enforcement.evidence import services as evidence
from enforcement.evidence.storage import get_storage, track_new_file
from enforcement.extensions import db
from enforcement.orgs.models import UnitKind
from enforcement.parties import identity
from enforcement.parties.models import PartyKind
from enforcement.reports.models import Report
from enforcement.reports.routing import receiving_unit
from enforcement.reports.validation import UNKNOWN_DISTRICT, ReportData, read_report
from workflows.engine import Refusal
from workflows.spec import N_
from workflows.states import END_STATES

log = logging.getLogger(__name__)

#: 32 characters without 0/O, 1/I/L: easy to read off a receipt and type on a phone
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


class EvidenceTooLarge(DomainError):
    """A file or the report's files together exceed the limit: answered with 413."""

    status = 413
    code = "too_large"

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text

    def message(self):
        return self.text


class KeyReused(DomainError):
    status = 422
    code = "idempotency_key_reused"

    def message(self):
        return _("该 Idempotency-Key 已用于内容不同的另一份举报，请换用新的键")


@dataclass(frozen=True)
class FiledReport:
    report: Report
    #: shown once to the reporter; only its hash is stored
    access_code: str
    #: False when a repeated submission (same form token or Idempotency-Key) found the report
    created: bool = True

    @property
    def case(self) -> Case:
        return self.report.case


@dataclass(frozen=True)
class PortalFiler:
    """Who stands behind portal-made records: the submitting account, or nobody (anonymous).

    Documents and evidence record ``id`` as their issuer/uploader; staff permissions never
    apply to it.
    """

    id: int | None
    username: str
    full_name: str

    @classmethod
    def of(cls, user) -> "PortalFiler":
        if user is None:
            return cls(None, "-", _("网上举报"))
        return cls(user.id, user.username, user.full_name)


# -- access codes ----------------------------------------------------------------------------


def normalise_code(raw: str | None) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def code_matches(report: Report, raw: str | None) -> bool:
    return hmac.compare_digest(report.access_code_hash, hash_code(raw or ""))


def format_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _new_code(idempotency_key: str | None) -> str:
    """A random code; for a keyed submission one derived from the key with the server secret,
    so that a retried request (same key, same content) gets the same answer (the code is
    never stored, only its hash)."""
    if idempotency_key is None:
        return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(),
                      f"report-access:{idempotency_key}".encode(), hashlib.sha256).digest()
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:CODE_LENGTH])


def request_hash(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False,
                                     default=str).encode()).hexdigest()


# -- receiving -------------------------------------------------------------------------------


def file_report(data: dict, *, submitted_by=None, ip=None, files=(), idempotency_key=None,
                content_hash=None) -> FiledReport:
    """Receive one report (commits) and, unless ``REPORT_REGISTRATION`` is ``"worker"``,
    register it at once (commits again).

    ``data`` is the submitted dict (API shape); ``files`` are uploads with ``stream`` and
    ``filename``; ``idempotency_key`` makes a repeated submission return the first report
    instead of filing a second one. A registration that fails leaves the report received: the
    worker (``flask reports register-pending``) registers it later, and the reporter's receipt
    and status page register it on demand.
    """
    filed = receive(data, submitted_by=submitted_by, ip=ip, files=files,
                    idempotency_key=idempotency_key, content_hash=content_hash)
    if current_app.config["REPORT_REGISTRATION"] != "worker":
        try:
            ensure_registered(filed.report)
        except Exception:  # noqa: BLE001 — received is safe; registering is retried later
            log.exception("report %s received but not registered", filed.report.tracking_no)
    return filed


def receive(data: dict, *, submitted_by=None, ip=None, files=(), idempotency_key=None,
            content_hash=None) -> FiledReport:
    """Check a report and its filer, store its files and the report row (one transaction,
    commits) — or change nothing. Nothing is routed or numbered yet: that is registration."""
    content_hash = content_hash or request_hash(data)
    errors = {}
    checked = None
    try:
        checked = read_report(data)
    except Invalid as exc:
        errors = exc.errors
    try:
        uploads = _checked_uploads(files)
    except Invalid as exc:
        errors = {**errors, **exc.errors}
    if errors:  # the fields and the files, all at once
        raise Invalid(errors)
    _check_filer(checked, submitted_by)
    if idempotency_key is not None and uploads:
        # a repeated upload is answered before its files are stored a second time (without
        # files, the key's unique index answers a repeat at the insert)
        existing = _by_key(idempotency_key, content_hash)
        if existing is not None:
            return existing
    for _attempt in range(3):
        try:
            filed = _receive(data, checked, submitted_by, ip, uploads, idempotency_key,
                             content_hash)
            _commit_keeping_loaded()
        except IntegrityError:
            db.session.rollback()
            # a concurrent submission with the same key won the race: answer with its report
            existing = _by_key(idempotency_key, content_hash) if idempotency_key else None
            if existing is not None:
                return existing
            continue  # a tracking number drawn twice (about one in 10⁸ a day): draw again
        except Exception:
            db.session.rollback()
            raise
        log.info("report %s received", filed.report.tracking_no)
        return filed
    raise RuntimeError("no free tracking number after three draws")


def _receive(data, checked: ReportData, user, ip, uploads, key, content_hash) -> FiledReport:
    code = _new_code(key)
    station = is_station(user)
    stored = []
    for upload, upload_check in uploads:
        upload.stream.seek(0)
        storage_key, size, sha256 = get_storage().put(upload.stream)
        track_new_file(db.session, storage_key)
        stored.append({"key": storage_key, "name": upload.filename,
                       "content_type": upload_check.content_type, "size": size,
                       "sha256": sha256})
    report = Report(
        tracking_no=new_tracking_no(local_today()), access_code_hash=hash_code(code),
        anonymous=checked.reporter.anonymous, reporter_name=checked.reporter.name,
        reporter_phone=checked.reporter.phone, reporter_email=checked.reporter.email,
        submitted_by_user_id=user.id if user else None, mandate_id=checked.mandate_id,
        principal_name=checked.principal_name, principal_contact=checked.principal_contact,
        filed_by_unit_id=user.unit_id if station else None, idempotency_key=key,
        request_hash=content_hash, ip=ip, payload=data, files=stored)
    db.session.add(report)
    # the report row claims the key: a concurrent twin (or a retry of a filing that
    # committed) fails on its unique index at this flush, and receive answers it with the
    # first report
    db.session.flush()
    return FiledReport(report, code)


def new_tracking_no(day) -> str:
    """登记编号: JB, the day of receipt and six random characters (not a sequence, so that
    receiving needs no lock and numbers cannot be guessed from one another)."""
    tail = "".join(secrets.choice(CODE_ALPHABET) for _i in range(6))
    return f"JB{day:%Y%m%d}{tail}"


def _commit_keeping_loaded() -> None:
    """Commit without expiring what was just written: the answer (tracking number, case
    state) is read from these objects, which hold exactly what was committed."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def _by_key(key: str, content_hash: str | None) -> FiledReport | None:
    report = db.session.scalar(select(Report).where(Report.idempotency_key == key))
    if report is None:
        return None
    if content_hash is not None and report.request_hash not in (None, content_hash):
        raise KeyReused()
    return FiledReport(report, _new_code(key), created=False)


def _checked_uploads(files) -> list:
    """Every file checked, and their total, before anything is written (413 for size)."""
    files = [f for f in files if f is not None and getattr(f, "filename", None)]
    config = current_app.config
    if len(files) > config["REPORT_MAX_FILES"]:
        raise Invalid({"evidence": [_("每份举报最多上传%(n)d个文件",
                                      n=config["REPORT_MAX_FILES"])]})
    total, checked = 0, []
    for upload in files:
        try:
            result = checks.check_upload(upload.stream, upload.filename)
        except checks.UploadTooLarge as exc:
            raise EvidenceTooLarge(str(exc)) from None
        except checks.UploadRefused as exc:
            raise Invalid({"evidence": [str(exc)]}) from None
        total += result.size
        checked.append((upload, result))
    if total > config["REPORT_MAX_BYTES"]:
        raise EvidenceTooLarge(_("一份举报的文件合计不能超过 %(mb)d MB",
                                 mb=config["REPORT_MAX_BYTES"] // (1024 * 1024)))
    return checked


def _check_filer(data: ReportData, user) -> None:
    """Who may file what: anyone anonymously or named; an account with ``report.file``; a
    station for someone (whom it names); an agent under a mandate covering the mark."""
    if user is None:
        if data.mandate_id is not None:
            raise Invalid({"mandate_id": [_("请先登录后再以代理人身份举报")]})
        return
    if not user.can("report.file"):
        raise Refused([Refusal("permission", N_("工作人员请在办案系统中登记案件线索"))])
    if is_station(user):
        errors = {}
        if not data.principal_name:
            errors["principal.name"] = [_("请填写代为举报的农户、合作社或企业名称")]
        if not data.principal_contact:
            errors["principal.contact"] = [_("请填写委托人的联系电话")]
        if errors:
            raise Invalid(errors)
    if data.mandate_id is not None:
        from enforcement.accounts.models import Mandate

        mandate = db.session.get(Mandate, data.mandate_id)
        if mandate is None or mandate.agent_user_id != user.id:
            raise Invalid({"mandate_id": [_("未找到该授权委托书")]})
        if not mandate.covers(data.mark_reg_no, local_today()):
            raise Invalid({"trademark.registration_no": [
                _("该商标不在所选授权委托书的授权范围内，或委托书已过期")]})
        data.principal_name = mandate.principal_name


def is_station(user) -> bool:
    return user is not None and user.unit is not None and user.unit.kind is UnitKind.station


# -- registering -----------------------------------------------------------------------------


def ensure_registered(report: Report) -> Report:
    """Register a received report now if nobody has yet (commits); the report, registered."""
    if report.case_id is None:
        register(report.id)
        db.session.refresh(report)
    return report


def register(report_id: int) -> bool:
    """Route a received report and open its case, or link it to the open case about the same
    infringer and mark; issue the 举报登记表 and the 回执; attach its files; audit. One
    transaction (commits). False when another process registered it first."""
    # the claim: on PostgreSQL the row lock makes a second registrar wait and then find it
    # done; on SQLite the write takes the database lock for the whole registration
    claimed = db.session.execute(
        update(Report).where(Report.id == report_id, Report.case_id.is_(None))
        .values(last_error=None).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        db.session.rollback()
        return False
    report = db.session.get(Report, report_id, populate_existing=True)
    try:
        _register(report)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    log.info("report %s registered (case %s)", report.tracking_no, report.case_id)
    return True


def _register(report: Report) -> None:
    received_on = local_date(report.created_at)
    data = read_report(report.payload, today=received_on)
    user = report.submitted_by
    station = report.filed_by_unit_id is not None
    data.principal_name = report.principal_name  # a mandate's principal, fixed at receipt
    filer = PortalFiler.of(user)
    open_case = _open_case_about(data)
    if open_case is None:
        unit = receiving_unit(data.infringer.district, online=data.infringer.online)
        case = intake.create_registered(unit, _case_data(data, user, station), ip=report.ip,
                                        received_on=received_on)
    else:
        case = open_case
    report.case_id, report.case = case.id, case
    report.linked = open_case is not None
    report.registered_at = utcnow()
    _issue_documents(case, report, filer, new_case=open_case is None, day=received_on)
    db.session.flush()
    for stored in report.files or []:
        evidence.adopt(case, stored, actor=filer,
                       description=_("举报人随举报提交（%(no)s）", no=report.tracking_no))
    audit.record("report.file", actor=user, obj_type="report", obj_id=report.id,
                 unit_id=case.unit_id, ip=report.ip, tracking_no=report.tracking_no,
                 case_id=case.id, linked=report.linked, anonymous=report.anonymous,
                 mandate_id=report.mandate_id, station=station,
                 files=len(report.files or []), received_at=report.created_at.isoformat())


def register_pending(limit: int | None = None) -> tuple[int, int]:
    """Register received reports, oldest first (safe in several processes at once); a report
    that fails is retried on later rounds up to ``REPORT_MAX_ATTEMPTS`` times. Returns
    (registered, failed)."""
    query = (select(Report.id).where(Report.case_id.is_(None),
                                     Report.attempts < current_app.config["REPORT_MAX_ATTEMPTS"])
             .order_by(Report.id))
    if limit is not None:
        query = query.limit(limit)
    ids = list(db.session.scalars(query))
    db.session.rollback()
    registered = failed = 0
    for report_id in ids:
        try:
            registered += register(report_id)
        except Exception as exc:  # noqa: BLE001 — recorded on the report, retried later
            failed += 1
            _record_failure(report_id, exc)
    return registered, failed


def registered_if_possible(report: Report) -> Report:
    """For the reporter's pages: the report registered now if it was still waiting; when that
    fails the report stays received (the failure is recorded and the worker retries)."""
    if report.case_id is None:
        try:
            ensure_registered(report)
        except Exception as exc:  # noqa: BLE001 — the reporter still sees "received"
            _record_failure(report.id, exc)
            db.session.refresh(report)
    return report


def _record_failure(report_id: int, exc: Exception) -> None:
    log.exception("report %s: registration failed", report_id, exc_info=exc)
    db.session.rollback()
    db.session.execute(update(Report).where(Report.id == report_id).values(
        attempts=Report.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]))
    db.session.commit()


def _case_data(data: ReportData, user, station: bool) -> intake.CaseData:
    inf = data.infringer
    party = intake.PartyData(
        kind=PartyKind.person if inf.id_number else PartyKind.organisation, name=inf.name,
        credit_code=inf.credit_code, id_number=inf.id_number, address=inf.address,
        shop_url=inf.shop_url, seller_account=inf.seller_account)
    reporter = data.reporter
    if station:  # the farmer or cooperative is the reporter; the station only helped
        name, contact, user_id = data.principal_name, data.principal_contact, None
    elif reporter.anonymous:
        name, contact, user_id = None, None, None
    else:
        name, contact = reporter.name, reporter.contact
        user_id = user.id if user is not None else None
    return intake.CaseData(
        cause=_("涉嫌侵犯“%(mark)s”注册商标专用权", mark=data.mark_name),
        summary=data.description,
        district=inf.district if inf.district != UNKNOWN_DISTRICT else "city",
        source=CaseSource.station if station else CaseSource.portal,
        occurred_on=data.found_on, occurred_place=data.location,
        online_shop=inf.shop_url or inf.seller_account, parties=[party],
        mark_numbers=[data.mark_reg_no],
        goods=[intake.GoodsData(name=g.name, quantity=g.quantity, unit=g.unit)
               for g in data.goods],
        reporter_name=name, reporter_contact=contact, reporter_user_id=user_id,
        filed_by_unit_id=user.unit_id if station else None)


def _open_case_about(data: ReportData) -> Case | None:
    """The open case about the same infringer (party identity, DESIGN §4) and the same mark,
    if any: the new report joins it instead of opening a second case."""
    inf = data.infringer
    party = identity.find_same(inf.name, credit_code=inf.credit_code, id_number=inf.id_number,
                               address=inf.address, shop_url=inf.shop_url,
                               seller_account=inf.seller_account)
    if party is None:
        return None
    return db.session.scalar(
        select(Case).join(CaseParty, CaseParty.case_id == Case.id)
        .join(CaseMark, CaseMark.case_id == Case.id)
        .where(CaseParty.party_id == party.id, CaseMark.reg_no == data.mark_reg_no,
               Case.state.not_in(END_STATES))
        .order_by(Case.id).limit(1))


def _issue_documents(case, report, filer, *, new_case: bool, day) -> None:
    """The 举报登记表 for a new case, and every report's 回执 under its own tracking number,
    dated the day the report was received. The access code is not in the stored receipt: it
    is added only to the copy the reporter downloads right after filing (see
    :func:`receipt_pdf`)."""
    today = day
    source = context.Source(case=case, fields={}, actor=filer, today=today)
    if new_case:
        documents.issue(case, "report_form", actor=filer, event=None, year=today.year,
                        data=context.build("report_form", source), flush=False)
    data = {**context.build("report_receipt", source), "tracking_no": report.tracking_no,
            "received_on": day.isoformat()}
    # the receipt is addressed to this report's reporter, not to the case's first one
    data["addressee"] = report.principal_name if report.filed_by_unit_id else report.reporter_name
    documents.issue(case, "report_receipt", actor=filer, event=None, data=data,
                    year=today.year, flush=False)


def receipt_document(report: Report):
    from enforcement.documents.models import Document

    return db.session.scalar(
        select(Document).where(Document.case_id == report.case_id,
                               Document.doc_type == "report_receipt",
                               Document.revoked_at.is_(None))
        .order_by(Document.id.desc()).where(Document.data["tracking_no"].as_string()
                                            == report.tracking_no))


def receipt_pdf(report: Report, access_code: str) -> bytes:
    """The reporter's copy of the 回执: the stored receipt's data plus the access code."""
    from enforcement.documents import rendering

    document = receipt_document(report)
    if document is None:
        raise LookupError(report.tracking_no)
    return rendering.render("report_receipt",
                            {**document.data, "access_code": format_code(access_code)}).pdf


def find_report(tracking_no: str, access_code: str) -> Report | None:
    """The report if the access code is right; None otherwise (which of the two was wrong is
    never said)."""
    tracking_no = (tracking_no or "").strip().upper()
    report = db.session.scalar(select(Report).where(Report.tracking_no == tracking_no))
    if report is None:
        hash_code(access_code)  # the same work either way
        return None
    return report if code_matches(report, access_code) else None


def look_up(tracking_no: str, access_code: str, *, ip=None, via: str = "web") -> Report | None:
    """A reporter's status check, audited either way (commits); a report still waiting for
    registration is registered first."""
    report = find_report(tracking_no, access_code)
    if report is None:
        audit.record("report.status_denied", ip=ip, tracking_no=(tracking_no or "")[:32],
                     via=via)
    else:
        registered_if_possible(report)
        audit.record("report.status", obj_type="report", obj_id=report.id,
                     unit_id=report.case.unit_id if report.case else None, ip=ip, via=via)
    db.session.commit()
    return report
