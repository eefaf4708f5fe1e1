"""Check digits of credit codes, ID numbers, mobile and registration numbers."""
import pytest

from enforcement.parties.identifiers import (
    credit_code_check_char,
    credit_code_valid,
    id_number_valid,
    mark_reg_no_valid,
    mobile_valid,
)


@pytest.mark.parametrize("code", ["91350100M000100Y43", "911100001000079554",
                                  "91440300708461136T", " 91350100m000100y43 "])
def test_valid_credit_codes(code):
    assert credit_code_valid(code)


@pytest.mark.parametrize("code", ["91350100M000100Y44", "9135010", "91350100M000100Y4I",
                                  "", "913501000000100Y43X"])
def test_invalid_credit_codes(code):
    assert not credit_code_valid(code)


def test_check_char_completes_a_code():
    body = "91150802MA0N4X0B2"
    assert credit_code_valid(body + credit_code_check_char(body))


@pytest.mark.parametrize("number,valid", [
    ("11010519491231002X", True), ("11010519491231002x", True),
    ("110105194912310021", False), ("1101051949123100", False), ("11010519491231002Y", False),
])
def test_id_numbers(number, valid):
    assert id_number_valid(number) is valid


@pytest.mark.parametrize("number,valid", [("13800000000", True), ("12800000000", False),
                                          ("1380000000", False), ("+8613800000000", False)])
def test_mobile_numbers(number, valid):
    assert mobile_valid(number) is valid


def test_mark_registration_numbers():
    assert mark_reg_no_valid("90000001")
    assert not mark_reg_no_valid("9000A001")
    assert not mark_reg_no_valid("")
