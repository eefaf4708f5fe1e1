"""Redaction rules on varied inputs: pure functions, no database."""
import pytest

from enforcement.publicity import redaction

PERSON = {"is_person": True, "name": "王二小", "id_number": "15262219800101123X",
          "phone": "13904780000", "address": "临河区胜利路3号", "credit_code": None}
ORGANISATION = {"is_person": False, "name": "巴彦淖尔市某商贸有限公司",
                "credit_code": "91150802MA0D00101X", "id_number": None, "phone": "0478-8123456",
                "address": "临河区新华街1号", "legal_representative": "赵经理"}


def plan(**kwargs):
    data = {"parties": [PERSON, ORGANISATION],
            "case": {"reporter_name": "李举报", "reporter_contact": "13812345678"}}
    return redaction.plan(data, **kwargs)


@pytest.mark.parametrize("text, original, shown", [
    ("身份证号15262219800101123X。", "15262219800101123X", "1526**********123X"),
    ("身份证号152622198001011234", "152622198001011234", "1526**********1234"),
    ("身份证号15262219800101123x，", "15262219800101123x", "1526**********123x"),
    ("旧身份证152622800101123。", "152622800101123", "1526*******1123"),
    ("手机13904781234", "13904781234", "139****1234"),
    ("电话：139 0478 1234", "139 0478 1234", "139****1234"),
    ("电话+86-139-0478-1234。", "139-0478-1234", "139****1234"),
    ("座机0478-8123456，", "8123456", "0478"),
    ("收款账号6222020200001234567", "6222020200001234567", "6222***********4567"),
    ("账号6222 0202 0000 1234 567，", "6222 0202 0000 1234 567", "6222***********4567"),
    ("当事人家住五原县隆兴昌镇建设路12号3单元，", "隆兴昌镇建设路12号", "家住五原县＊＊＊"),
    ("当事人张某，住临河区新华街88号2单元301室）", "新华街88号", "住临河区＊＊＊"),
])
def test_patterns_mask_personal_data_in_any_text(text, original, shown):
    out = plan().text(text)
    assert original not in out
    assert shown in out


def test_the_partys_own_values_are_masked_wherever_they_appear():
    out = plan().text("王二小（身份证15262219800101123X，电话13904780000）住临河区胜利路3号。")
    assert "王二小" in out  # the party's own name is published
    for value in ("15262219800101123X", "13904780000", "胜利路3号"):
        assert value not in out
    assert "1526**********123X" in out and "临河区＊＊＊" in out


def test_organisations_keep_name_and_credit_code():
    out = plan().text("巴彦淖尔市某商贸有限公司（统一社会信用代码91150802MA0D00101X）")
    assert out == "巴彦淖尔市某商贸有限公司（统一社会信用代码91150802MA0D00101X）"
    digits = redaction.plan({"parties": [{**ORGANISATION, "credit_code": "911508021234567890"}]})
    assert "911508021234567890" in digits.text("代码911508021234567890")


def test_reporter_other_people_and_the_heads_masks():
    p = plan(other_people=["张三丰"], extra_masks=["临河区秘密仓库", " ", "x"])
    out = p.text("举报人李举报（13812345678）反映；证人张三丰证实货物存放在临河区秘密仓库。")
    assert "李举报" not in out and "13812345678" not in out
    assert "张三丰" not in out and "张某" in out
    assert "秘密仓库" not in out and "＊＊＊" in out


def test_redact_masks_person_fields_and_drops_the_reporter():
    data = {"parties": [PERSON], "party": PERSON,
            "case": {"reporter_name": "李举报", "reporter_contact": "13812345678",
                     "summary": "举报人李举报反映王二小销售假货"},
            "decision": {"violation": "王二小电话13904780000"},
            "doc": {"number": "临市监处罚〔2026〕1号", "verify_code": "ABC"}}
    p = redaction.plan(data)
    out = redaction.redact(data, p)
    assert out["party"]["id_number"] == "1526**********123X"
    assert out["party"]["phone"] is None and out["party"]["address"] == "临河区＊＊＊"
    assert out["case"]["reporter_name"] is None and out["case"]["reporter_contact"] is None
    assert "李举报" not in str(out) and "13904780000" not in str(out)
    assert out["doc"]["number"] == "临市监处罚〔2026〕1号"
    assert data["party"]["id_number"] == "15262219800101123X"  # the case file is untouched


def test_rules_are_listed_with_their_sources():
    rows = redaction.rules_table()
    codes = {r["code"] for r in rows}
    assert {"id_number", "id_number_15", "mobile", "landline", "bank_account", "home_address",
            "reporter"} <= codes
    assert all(r["source"] for r in rows)
