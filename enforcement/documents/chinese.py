"""Chinese numerals, dates and amounts as official documents write them."""
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

DIGITS = "〇一二三四五六七八九"
UPPER_DIGITS = "零壹贰叁肆伍陆柒捌玖"
UPPER_UNITS = ("", "拾", "佰", "仟")
UPPER_GROUPS = ("", "万", "亿", "万亿")


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def small_number(n: int) -> str:
    """0–99 in Chinese numerals: 15 -> 十五, 28 -> 二十八, 60 -> 六十."""
    if not 0 <= n < 100:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return DIGITS[ones] if ones else "零"
    head = "" if tens == 1 else DIGITS[tens]
    return f"{head}十{DIGITS[ones] if ones else ''}"


def date_numerals(value) -> str:
    """The date of a seal area: 2026-11-28 -> 二〇二六年十一月二十八日."""
    day = _as_date(value)
    year = "".join(DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{small_number(day.month)}月{small_number(day.day)}日"


def date_text(value) -> str:
    """A date in running text: 2026年11月28日."""
    if value in (None, ""):
        return ""
    day = _as_date(value)
    return f"{day.year}年{day.month}月{day.day}日"


def _group(n: int) -> str:
    """0–9999 in capital numerals, with 零 for inner gaps: 1010 -> 壹仟零壹拾."""
    out, zero = "", False
    for position in range(3, -1, -1):
        digit = n // 10 ** position % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += UPPER_DIGITS[digit] + UPPER_UNITS[position]
    return out


def _integer_upper(n: int) -> str:
    if n == 0:
        return "零"
    groups = []
    while n:
        n, rest = divmod(n, 10000)
        groups.append(rest)
    out = ""
    for index in range(len(groups) - 1, -1, -1):
        value = groups[index]
        if value == 0:
            continue
        if out and (value < 1000 or groups[index + 1] == 0):
            out += "零"  # a gap before this group: 10005 -> 壹万零伍
        out += _group(value) + UPPER_GROUPS[index]
    return out


def money_upper(value) -> str:
    """An amount in capital numerals (大写金额).

    20000 -> 贰万元整; 12345.67 -> 壹万贰仟叁佰肆拾伍元陆角柒分.
    """
    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount < 0:
        raise ValueError(value)
    yuan = int(amount)
    jiao, fen = divmod(int((amount - yuan) * 100), 10)
    text = _integer_upper(yuan) + "元" if yuan else ""
    if not jiao and not fen:
        return (text or "零元") + "整"
    if jiao:
        text += UPPER_DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += UPPER_DIGITS[fen] + "分"
    return text


def money(value) -> str:
    """An amount in figures: 20000 -> 20,000.00."""
    return f"{Decimal(str(value)):,.2f}"


FILTERS = {
    "cn_date": date_text,
    "cn_date_upper": date_numerals,
    "cn_small": small_number,
    "money": money,
    "money_upper": money_upper,
}
