"""The computations of the procedure: the 违法经营额 worksheet, the late-payment surcharge to
the day and its cap, and the hearing scheduling rule (7 working days after service)."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from enforcement.cases.action_forms import build_form, cleaned, json_schema, json_to_formdata
from enforcement.cases.facts import Facts, last_day_to_serve
from enforcement.cases.models import Case
from enforcement.clocks import holidays
from enforcement.clocks.calendar import working_days_between
from enforcement.db import acting_as_of, local_today
from enforcement.documents.models import Document
from enforcement.extensions import db
from enforcement.rules import assessment
from tests.conftest import case_in_state
from tests.procedure.desk import Desk, clocks, document, errors, state, working_days_ahead
from workflows.definition import ACTIONS_BY_NAME

D = date.fromisoformat
WORKSHEET = ACTIONS_BY_NAME["compute_business_volume"]
LINES = [
    {"name": "雪花粉", "status": "sold", "quantity": "12.5", "unit": "袋", "price": "85.00",
     "price_basis": "actual_price"},
    {"name": "雪花粉", "status": "unsold", "quantity": "300", "unit": "袋", "price": "176.00",
     "price_basis": "marked_price"},
]


# -- the worksheet (商标法实施条例 Art. 78) ----------------------------------------------------
def test_the_worksheet_adds_sold_and_unsold_goods_at_their_price():
    sheet = assessment.worksheet(LINES)
    assert [line.value for line in sheet.lines] == [Decimal("1062.50"), Decimal("52800.00")]
    assert (sheet.sold, sheet.unsold, sheet.amount) == (Decimal("1062.50"), Decimal("52800.00"),
                                                       Decimal("53862.50"))
    assert sheet.methods == ["actual_price", "marked_price"]


def test_a_browser_form_and_a_json_body_post_the_same_rows(app):
    case = case_in_state("investigating")
    browser = MultiDict([(f"lines-{i}-{k}", v) for i, line in enumerate(LINES)
                         for k, v in line.items()] +
                        [("lines-2-name", ""), ("lines-2-quantity", ""),  # a blank row
                         ("lines-2-status", "sold"), ("lines-2-price_basis", "actual_price")])
    api = json_to_formdata({"lines": LINES, "note": "单据为证"})
    for formdata in (browser, api):
        form = build_form(WORKSHEET, case, formdata)
        assert form.validate(), form.errors
        assert cleaned(form, WORKSHEET)["lines"] == [{**line, "quantity": line["quantity"]}
                                                      for line in LINES]
    schema = json_schema(WORKSHEET.field("lines"))
    assert schema["type"] == "array" and schema["minItems"] == 1
    assert schema["items"]["properties"]["price_basis"]["enum"][0] == "actual_price"
    assert "quantity" in schema["items"]["required"]


def test_row_errors_name_the_row_and_the_column(app):
    case = case_in_state("investigating")
    form = build_form(WORKSHEET, case, json_to_formdata({"lines": [
        LINES[0], {**LINES[1], "quantity": "0", "price": "abc"}]}))
    assert not form.validate()
    messages = form.errors["lines"]
    assert any(m.startswith("第 2 行“数量”") for m in messages)
    assert any(m.startswith("第 2 行“单价（元）”") for m in messages)
    empty = build_form(WORKSHEET, case, MultiDict([("note", "无")]))
    assert not empty.validate() and empty.errors["lines"] == ["请至少填写 1 行"]


def test_the_computed_volume_feeds_the_cap_and_the_criminal_alert(app, client):
    case_id = case_in_state("investigating").id
    desk = Desk(client).as_("linhe_inspector1")
    response = desk.post(case_id, "compute_business_volume", **{
        "lines-0-name": "雪花粉", "lines-0-status": "sold", "lines-0-quantity": "10",
        "lines-0-unit": "袋", "lines-0-price": "80", "lines-0-price_basis": "marked_price"})
    assert response.status_code == 422  # a sold line is not valued at a marked price
    assert any("不能按标价计算" in e for e in errors(response))
    desk.do(case_id, "compute_business_volume",
            **{f"lines-{i}-{k}": v for i, line in enumerate(LINES) for k, v in line.items()})
    case = db.session.get(Case, case_id)
    assert case.business_volume == Decimal("53862.50")
    cap = assessment.fine_cap(case, date.today())
    assert (cap.branch, cap.cap) == ("multiple", Decimal("269312.50"))  # ≥ 50,000: up to 5×
    event = case.events[-1]
    assert event.data["amount"] == "53862.50" and event.data["sold"] == "1062.50"
    assert "雪花粉 已销售 12.5袋 × 85.00 元（实际销售价格）= 1062.50 元" in \
        event.data["computation"]
    # 违法经营额 ≥ 50,000: the 假冒注册商标罪 threshold is reached and the case shows it
    assert "counterfeit_mark" in event.data["criminal_alerts"]
    alerts = assessment.criminal_alerts(case, date.today(), assessment.repeat_flags(
        case, date.today()))
    assert {a.crime: a.reached for a in alerts}["counterfeit_mark"] is True


# -- the late-payment surcharge (APL Art. 72) -----------------------------------------------------
@pytest.mark.parametrize("paid_on,days,amount,capped", [
    ("2026-03-16", 0, "0.00", False),  # the period's last day: nothing owed
    ("2026-03-17", 1, "600.00", False),  # the next day: 3 % of 20,000
    ("2026-04-18", 33, "19800.00", False),
    ("2026-04-19", 34, "20000.00", True),  # 20,400 would exceed the fine: capped at it
    ("2026-09-01", 169, "20000.00", True),
])
def test_the_surcharge_is_counted_to_the_day_and_capped_at_the_fine(paid_on, days, amount,
                                                                     capped):
    owed = assessment.surcharge("20000", "20000", D("2026-03-16"), D(paid_on))
    assert (owed.days, owed.amount, owed.capped, owed.cap) == (days, Decimal(amount), capped,
                                                              Decimal("20000"))


def test_the_surcharge_is_counted_on_the_unpaid_fine_only():
    assert assessment.surcharge("20000", "5000", D("2026-03-16"), D("2026-03-18")).amount == \
        Decimal("300.00")
    assert assessment.surcharge("20000", "0", D("2026-03-16"), D("2026-03-18")).amount == 0
    assert assessment.surcharge("20000", "20000", None, D("2026-03-18")).days == 0


# -- the hearing: notified 7 working days before (APL Art. 64 ¶1 (二), Art. 85) -----------------
@pytest.mark.parametrize("hearing", ["2026-10-12", "2026-06-22", "2026-03-02"])
def test_the_last_day_to_serve_leaves_seven_working_days(app, hearing):
    cal, hearing = holidays.current(), D(hearing)
    last = last_day_to_serve(hearing)
    assert working_days_between(last, hearing, cal) >= 7
    assert working_days_between(last + timedelta(days=1), hearing, cal) < 7


def test_the_hearing_counts_from_the_service_of_its_notice(app, client):
    case = case_in_state("hearing")  # seed: hearing 10 working days ahead, notice unserved
    facts = Facts(case)
    assert facts.hearing_on is not None and not facts.hearing_notice_served
    last = last_day_to_serve(facts.hearing_on)
    notice = document(case.id, "hearing_notice")
    desk = Desk(client).as_("linhe_inspector1")
    with acting_as_of(last):
        desk.do(case.id, "record_service", document=notice.id, method="post",
                served_on=last.isoformat(), recipient="当事人")
    db.session.rollback()
    case = db.session.get(Case, case.id)
    assert Facts(case).hearing_notice_served  # on the last day: in time
    assert clocks(case.id, "hearing_notice")[-1].status.value == "met"
    with acting_as_of(facts.hearing_on):
        desk.as_("linhe_reviewer").do(case.id, "conclude_hearing", record="笔录。",
                                      report="维持原拟处罚意见。")
    assert state(case.id)[0] == "decision_review"


def test_rescheduling_withdraws_the_unserved_notice(app, client):
    case = case_in_state("hearing")
    old = document(case.id, "hearing_notice")
    new_day = working_days_ahead(local_today(), 12)
    desk = Desk(client).as_("linhe_inspector1")
    issued = desk.do(case.id, "reschedule_hearing", hearing_on=new_day.isoformat(),
                     place="临河区市场监管局听证室", host="周法制", reason="主持人回避。")
    assert [d.doc_type for d in issued] == ["hearing_notice"] and issued[0].number != old.number
    db.session.rollback()
    withdrawn = db.session.get(Document, old.id)
    assert withdrawn.revoked_at is not None and issued[0].number in withdrawn.revoked_reason
    notices = clocks(case.id, "hearing_notice")
    assert [c.status.value for c in notices] == ["cancelled", "running"]
    assert notices[-1].due_on == last_day_to_serve(new_day)
    assert Facts(db.session.get(Case, case.id)).hearing_on == new_day
    # the form says how early a hearing may be, counted from service today
    page = desk.page(f"/cases/{case.id}/actions/reschedule_hearing")
    assert working_days_ahead(local_today(), 7).isoformat() in page


def test_the_api_posts_the_rows_as_a_json_list(app, api):
    case = case_in_state("investigating")
    client = api.as_user("linhe_inspector1")
    response = client.post(f"/api/v1/cases/{case.id}/actions/compute_business_volume",
                           json={"lines": [{**LINES[0], "quantity": 12.5}, LINES[1]]},
                           headers={"If-Match": f'"{case.version}"'})
    assert response.status_code == 200, response.get_json()
    db.session.rollback()
    assert db.session.get(Case, case.id).business_volume == Decimal("53862.50")
    refused = client.post(f"/api/v1/cases/{case.id}/actions/compute_business_volume",
                          json={"lines": [{**LINES[0], "price_basis": "marked_price"}]},
                          headers={"If-Match": response.headers["ETag"]})
    assert refused.status_code == 422
    assert "不能按标价计算" in str(refused.get_json())


def test_the_case_page_shows_each_row_of_the_worksheet_as_a_line(app, client):
    case = case_in_state("investigating")
    rows = json_to_formdata({"lines": LINES}).to_dict()  # as the browser posts the table
    Desk(client).as_("linhe_inspector1").do(case.id, "compute_business_volume", **rows)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert ("商品名称：雪花粉，销售情况：已销售，数量：12.5，单位：袋，单价（元）：85.00，"
            "价格依据：实际销售价格\n商品名称：雪花粉，销售情况：未销售（库存），数量：300，单位：袋，"
            "单价（元）：176.00，价格依据：标价") in page
    assert "[{" not in page and "'name'" not in page
