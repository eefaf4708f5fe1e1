"""Password rules, after NIST SP 800-63B §5.1.1.2: at least 8 characters, no composition rules,
no periodic change — but never a password found in lists of breached or common passwords.

``common-passwords.txt.gz`` is the list of 20,000 common passwords that Django ships
(``django/contrib/auth/common-passwords.txt.gz``, BSD-3-Clause, © Django Software Foundation
and contributors), taken from breach corpora; it already holds the Chinese favourites such as
``5201314`` and ``woaini1314``. ``LOCAL`` adds guesses specific to this system's users.
"""
import gzip
from functools import cache
from pathlib import Path

from flask_babel import gettext as _

MIN_LENGTH = 8
MAX_LENGTH = 256
LIST = Path(__file__).with_name("common-passwords.txt.gz")
#: what someone would try first against this system's accounts
LOCAL = frozenset({
    "bayannur", "bayannaoer", "bynr1234", "hetao123", "hetao1234", "hetaomianfen",
    "shichangjianguan", "scjg1234", "scjgj123", "12315123", "123456abc", "abc123456",
    "qwe123456", "zxc123456", "woaini520", "woaini521", "aini1314", "1314520520",
})


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(LIST, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip()) | LOCAL


def password_problem(password: str | None, *, username: str | None = None) -> str | None:
    """What is wrong with a new password, in words a user understands; None when it is fine."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return _("密码至少需要 %(n)d 个字符", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("密码不能超过%(n)d个字符", n=MAX_LENGTH)
    if username and password.lower() == username.lower():
        return _("密码不能与用户名相同")
    if password.lower() in common_passwords():
        return _("这个密码太常见，很容易被猜中，请换一个（可以用一句好记的话）")
    return None
