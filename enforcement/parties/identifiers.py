"""Check digits of Chinese identifiers (DESIGN §4)."""
import re

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
