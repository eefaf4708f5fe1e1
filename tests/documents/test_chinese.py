"""Chinese numerals, dates and capital amounts as documents write them."""
import pytest

from enforcement.documents.chinese import date_numerals, date_text, money, money_upper


@pytest.mark.parametrize("amount,text", [
    ("20000", "贰万元整"), ("250000", "贰拾伍万元整"), ("100000", "壹拾万元整"),
    ("10005", "壹万零伍元整"), ("1010", "壹仟零壹拾元整"), ("20010", "贰万零壹拾元整"),
    ("100010000", "壹亿零壹万元整"), ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
    ("100.05", "壹佰元零伍分"), ("0.50", "伍角"), ("0", "零元整"),
])
def test_capital_amounts(amount, text):
    assert money_upper(amount) == text


def test_dates_and_figures():
    assert date_numerals("2026-11-28") == "二〇二六年十一月二十八日"
    assert date_numerals("2030-01-10") == "二〇三〇年一月十日"
    assert date_text("2026-03-05") == "2026年3月5日"
    assert money("20000") == "20,000.00"
