"""Check digits of Chinese identifiers (DESIGN §4), and what to tell whoever mistyped one."""
import re
from datetime import date

from flask_babel import gettext as _

# 统一社会信用代码, GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z)
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")

# 居民身份证号, GB 11643-1999: 17 digits and a check character (0-9 or X)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
#: CNIPA registration numbers are digits (up to 8 today; allow a little growth)
_MARK_NO_RE = re.compile(r"^\d{1,10}$")


def normalise(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def credit_code_valid(value: str) -> bool:
    code = normalise(value)
    if not _CREDIT_RE.match(code):
        return False
    return credit_code_check_char(code[:17]) == code[17]


def id_number_valid(value: str) -> bool:
    number = normalise(value)
    if not _ID_RE.match(number):
        return False
    return id_number_check_char(number[:17]) == number[17]


def mobile_valid(value: str) -> bool:
    return bool(_MOBILE_RE.match(value.strip()))


def mark_reg_no_valid(value: str) -> bool:
    return bool(_MARK_NO_RE.match(value.strip()))


def credit_code_check_char(first17: str) -> str:
    """The check character completing a 17-character credit code body."""
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(normalise(first17),
                                                               _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31]


def id_number_check_char(first17: str) -> str:
    """The check character completing a 17-digit ID number body."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


# -- messages for the people who type the identifiers -------------------------------------------
_CREDIT_CHARS = re.compile(r"^[0-9A-HJ-NPQRTUWXY]*$")


def credit_code_error(value: str) -> str | None:
    """Why a 统一社会信用代码 is wrong, in words a clerk can act on; None when it is right."""
    code = normalise(value)
    if len(code) != 18:
        return _("统一社会信用代码应为18位，现为%(n)d位", n=len(code))
    if not _CREDIT_CHARS.match(code):
        return _("统一社会信用代码只能由数字和大写字母组成，且不使用 I、O、S、V、Z")
    if not code[2:8].isdigit():
        return _("统一社会信用代码第3至8位应为登记管理机关行政区划码（6位数字）")
    if credit_code_check_char(code[:17]) != code[17]:
        return _("统一社会信用代码校验位不符，请核对是否有错字、漏字（GB 32100-2015）")
    return None


def id_number_error(value: str) -> str | None:
    """Why a 居民身份证号码 is wrong; None when it is right."""
    number = normalise(value)
    if len(number) != 18:
        return _("居民身份证号码应为18位，现为%(n)d位", n=len(number))
    if not _ID_RE.match(number):
        return _("居民身份证号码前17位应为数字，最后一位为数字或X")
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return _("居民身份证号码第7至14位不是有效的出生日期")
    if id_number_check_char(number[:17]) != number[17]:
        return _("居民身份证号码校验位不符，请核对是否有错字、漏字（GB 11643-1999）")
    return None


#: a fixed line with its area code, e.g. 0478-8123456
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def phone_error(value: str) -> str | None:
    """A party's phone: a mobile number, or a fixed line with its area code."""
    if mobile_valid(value) or _LANDLINE_RE.match(value.strip()):
        return None
    return _("联系电话应为以1开头的11位手机号码，或带区号的固定电话（如 0478-8123456）")
