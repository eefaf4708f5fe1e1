"""Parties at intake: identifiers checked with messages a clerk can act on, the same party
recognised across cases, and repeat infringers flagged (商标法 Art. 60 ¶2; 法释〔2025〕5号)."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from enforcement.cases.intake import CaseData, PartyData, register_case
from enforcement.cases.models import Case
from enforcement.db import local_today
from enforcement.errors import Invalid
from enforcement.extensions import db
from enforcement.parties.identifiers import (
    credit_code_check_char,
    credit_code_error,
    id_number_check_char,
    id_number_error,
    phone_error,
)
from enforcement.parties.identity import address_key, name_key, shop_key
from enforcement.parties.models import Party, PartyKind
from enforcement.rules.assessment import repeat_flags
from tests.clocks.helpers import unit
from tests.conftest import Browser, case_in_state, user

CODE_BODY = "91150802MA0N4X0B2"
GOOD_CODE = CODE_BODY + credit_code_check_char(CODE_BODY)
ID_BODY = "15080219850615003"
GOOD_ID = ID_BODY + id_number_check_char(ID_BODY)


@pytest.mark.parametrize("value,message", [
    (GOOD_CODE, None),
    (GOOD_CODE.lower(), None),
    (GOOD_CODE[:17], "统一社会信用代码应为18位，现为17位"),
    (GOOD_CODE[:17] + ("0" if GOOD_CODE[17] != "0" else "1"), "统一社会信用代码校验位不符"),
    ("91150802MA0N4X0BIZ", "不使用 I、O、S、V、Z"),
    ("9115AB02MA0N4X0B2X", "第3至8位应为登记管理机关行政区划码"),
])
def test_credit_code_messages(app, value, message):
    error = credit_code_error(value)
    assert (error is None) if message is None else (message in error)


@pytest.mark.parametrize("value,message", [
    (GOOD_ID, None),
    (GOOD_ID[:16], "居民身份证号码应为18位，现为16位"),
    ("15080219850615003Y", "前17位应为数字，最后一位为数字或X"),
    ("150802198513150031", "第7至14位不是有效的出生日期"),
    (ID_BODY + ("0" if GOOD_ID[17] != "0" else "1"), "校验位不符"),
])
def test_id_number_messages(app, value, message):
    error = id_number_error(value)
    assert (error is None) if message is None else (message in error)


@pytest.mark.parametrize("value,ok", [("13912345678", True), ("0478-8123456", True),
                                      ("04788123456", True), ("1234", False)])
def test_phone_numbers(app, value, ok):
    assert (phone_error(value) is None) is ok


def register(*parties, day=None, mark="90000001"):
    data = CaseData(cause="涉嫌销售假冒注册商标的商品", summary="测试。", district="linhe",
                    occurred_on=day or date(2026, 11, 20), parties=list(parties),
                    mark_numbers=[mark])
    return register_case(user("linhe_unit_head"), unit("linhe_amr"), data)


def test_intake_refuses_bad_identifiers_with_chinese_messages_and_keeps_nothing(app):
    before = db.session.scalar(select(func.count()).select_from(Case))
    with pytest.raises(Invalid) as caught:
        register(PartyData(PartyKind.organisation, "某商行", credit_code=GOOD_CODE[:17] + "Z"),
                 PartyData(PartyKind.person, "", id_number="123", phone="12"),
                 mark="90A")
    errors = caught.value.errors
    assert set(errors) == {"parties-0-credit_code", "parties-1-name", "parties-1-id_number",
                           "parties-1-phone", "mark_numbers-0"}
    assert "统一社会信用代码" in errors["parties-0-credit_code"][0]
    assert db.session.scalar(select(func.count()).select_from(Case)) == before


def test_the_same_party_by_credit_code_or_id_number_first(app):
    first = register(PartyData(PartyKind.organisation, "临河区甲商行", credit_code=GOOD_CODE))
    # another name, lower case, spaces: the code decides
    second = register(PartyData(PartyKind.organisation, "临河区甲商贸有限公司",
                                credit_code=" " + GOOD_CODE.lower()))
    assert first.parties[0].party_id == second.parties[0].party_id
    person = register(PartyData(PartyKind.person, "王某", id_number=GOOD_ID.lower()))
    again = register(PartyData(PartyKind.person, "王某某", id_number=GOOD_ID))
    assert person.parties[0].party_id == again.parties[0].party_id


def test_the_same_party_by_normalised_name_and_address_then_shop_or_account(app):
    first = register(PartyData(PartyKind.organisation, "临河区乙商行（分店）",
                               address="巴彦淖尔市临河区胜利路 8 号"))
    same = register(PartyData(PartyKind.organisation, "临河区乙商行(分店)",
                              address="内蒙古自治区巴彦淖尔市临河区胜利路8号",
                              credit_code=GOOD_CODE))
    assert first.parties[0].party_id == same.parties[0].party_id
    party = db.session.get(Party, first.parties[0].party_id)
    assert party.credit_code == GOOD_CODE  # completed with what it lacked
    # a name alone is not enough
    other = register(PartyData(PartyKind.organisation, "临河区乙商行（分店）"))
    assert other.parties[0].party_id != party.id
    shop = register(PartyData(PartyKind.organisation, "网店甲",
                              shop_url="https://shop123.taobao.com/?spm=a1z10"))
    same_shop = register(PartyData(PartyKind.organisation, "网店甲（另一名称）",
                                   shop_url="shop123.taobao.com/"))
    assert shop.parties[0].party_id == same_shop.parties[0].party_id
    seller = register(PartyData(PartyKind.person, "卖家", seller_account="Hetao Seller"))
    same_seller = register(PartyData(PartyKind.person, "卖家二", seller_account="hetao-seller"))
    assert seller.parties[0].party_id == same_seller.parties[0].party_id


def test_different_identifiers_are_different_parties_whatever_the_names(app):
    other_body = "91150802MA0N4X0C3"
    other_code = other_body + credit_code_check_char(other_body)
    first = register(PartyData(PartyKind.organisation, "丙商行", address="临河区新华街2号",
                               credit_code=GOOD_CODE))
    second = register(PartyData(PartyKind.organisation, "丙商行", address="临河区新华街2号",
                                credit_code=other_code))
    assert first.parties[0].party_id != second.parties[0].party_id


def test_normalisation():
    assert name_key("临河区 某店（分店）") == name_key("临河区某店(分店)")
    assert address_key("内蒙古自治区巴彦淖尔市临河区胜利路1号") == address_key("临河区胜利路1号")
    assert shop_key("HTTPS://www.Example.com/shop/1/?a=b#x") == "example.com/shop/1"
    assert shop_key("m.example.com/shop/1") == "example.com/shop/1"


# -- repeat infringers --------------------------------------------------------------------------
def test_the_demo_repeat_infringer_is_flagged_with_the_cases_it_rests_on(app):
    case = case_in_state("decision_review")  # its party was penalised in the court case
    earlier = case_in_state("court_enforcement")
    flags = repeat_flags(case, local_today())
    assert [p.case.id for p in flags.heavier] == [earlier.id]
    assert [p.case.id for p in flags.prior_penalties] == [earlier.id]
    assert repeat_flags(earlier, local_today()).prior_penalties == []

    browser = Browser(app.test_client())
    browser.login("linhe_inspector1")
    html = browser.client.get(f"/cases/{case.id}").get_data(as_text=True)
    standing = re.search(r"<section[^>]*standing-heading.*?</section>", html, re.S).group(0)
    assert "应当从重处罚" in standing and 'data-flag="prior_penalty"' in standing
    assert f'href="/cases/{earlier.id}"' in standing
    head = Browser(app.test_client())
    head.login("linhe_head")
    form = head.client.get(f"/cases/{case.id}/actions/decide_penalty").get_data(as_text=True)
    assert 'data-flag="heavier"' in form and earlier.number in form


def test_windows_of_five_and_two_years(app):
    case = case_in_state("decision_review")
    earlier = case_in_state("court_enforcement")
    # the earlier act six years back: no longer within five years
    earlier.occurred_on = case.occurred_on - timedelta(days=6 * 366)
    db.session.commit()
    flags = repeat_flags(case, local_today())
    assert flags.heavier == [] and [p.case.id for p in flags.prior_penalties] == [earlier.id]
