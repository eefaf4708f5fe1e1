"""What a reporter may see of its report: the stage in plain words, the dates and what it is
owed — never internal notes, the inspectors, or the other party's personal data."""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from enforcement.clocks.models import Clock
from enforcement.db import local_date
from enforcement.extensions import db
from workflows.states import CaseState

S = CaseState
#: the plain-words stage of every state; criminal transfer and court enforcement read as
#: "being handled" (the reporter is told the outcome, not the investigative steps)
PLAIN_STAGES = [
    ({S.registered, S.verifying}, _l("已登记，正在核查"),
     _l("执法人员正在核查您反映的情况，决定是否立案。")),
    ({S.filing_review}, _l("核查完毕，正在审批是否立案"),
     _l("核查已经完成，正在由负责人审批是否立案。")),
    ({S.not_filed}, _l("不予立案"), _l("经核查，决定不予立案。")),
    ({S.transferred_out}, _l("已移送有管辖权的部门"),
     _l("该举报不属于本局管辖，已移送有管辖权的部门处理。")),
    ({S.investigating, S.suspended, S.legal_review, S.notified, S.hearing, S.decision_review,
      S.referral_review, S.referred, S.referral_declined, S.police_filed},
     _l("已立案，正在调查处理"), _l("已经立案，正在依法调查处理。")),
    ({S.decided, S.publicized, S.court_enforcement}, _l("已作出处理决定"),
     _l("已经依法作出处理决定。")),
    ({S.closed}, _l("已办结"), _l("该案已经办结。")),
]
#: a report received but not yet registered (routed and given its case): seconds, normally
RECEIVED = (_l("已收到，正在登记"), _l("您的举报已经收到，正在登记并转交有管辖权的市场监管部门。"))
STEPS = [_l("登记"), _l("核查"), _l("立案决定"), _l("调查处理"), _l("办结")]
_STEP_OF = {S.registered: 1, S.verifying: 1, S.filing_review: 2, S.not_filed: 4,
            S.transferred_out: 4, S.closed: 4, S.decided: 3, S.publicized: 3,
            S.court_enforcement: 3}


@dataclass
class ReportStatus:
    tracking_no: str
    stage: str
    explanation: str
    step: int
    registered_on: date
    linked: bool
    anonymous: bool
    verification_due: date | None = None
    filing_decided_on: date | None = None
    filed: bool | None = None
    owed: list[str] = field(default_factory=list)


def _plain(state: CaseState) -> tuple[str, str]:
    for states, stage, explanation in PLAIN_STAGES:
        if state in states:
            return str(stage), str(explanation)
    raise KeyError(state)


def report_status(report) -> ReportStatus:
    case = report.case
    if case is None:  # received, its registration still to come
        stage, explanation = str(RECEIVED[0]), str(RECEIVED[1])
        status = ReportStatus(tracking_no=report.tracking_no, stage=stage,
                              explanation=explanation, step=0, linked=False,
                              anonymous=report.anonymous,
                              registered_on=local_date(report.created_at))
        _owed(status, report)
        return status
    stage, explanation = _plain(case.state)
    status = ReportStatus(tracking_no=report.tracking_no, stage=stage, explanation=explanation,
                          step=_STEP_OF.get(case.state, 3), linked=report.linked,
                          anonymous=report.anonymous,
                          registered_on=local_date(report.created_at))
    clock = db.session.scalar(select(Clock).where(Clock.case_id == case.id,
                                                  Clock.kind == "verification")
                              .order_by(Clock.id.desc()))
    if case.filed_at is not None:
        status.filing_decided_on, status.filed = local_date(case.filed_at), True
    elif case.state is S.not_filed and clock is not None and clock.stopped_at is not None:
        status.filing_decided_on, status.filed = local_date(clock.stopped_at), False
    if status.filing_decided_on is None and clock is not None:
        status.verification_due = clock.due_on
    _owed(status, report)
    return status


def _owed(status: ReportStatus, report) -> None:
    """What the reporter is owed (Order 42 Art. 18; 投诉举报办法 Art. 31)."""
    from flask_babel import gettext as _

    status.owed.append(_("自登记之日起15个工作日内核查并决定是否立案；情况特殊的，"
                         "经负责人批准可以延长15个工作日。"))
    if report.anonymous:
        status.owed.append(_("您是匿名举报，本局不会主动告知处理结果；您可以随时凭登记编号"
                             "和查询码在此查询。"))
    else:
        status.owed.append(_("作出是否立案的决定后5个工作日内告知您。"))
    if report.linked:
        status.owed.append(_("同一商家、同一商标已有正在办理的案件，您的举报已并入该案一并"
                             "处理，您提交的材料已转交办案人员。"))
