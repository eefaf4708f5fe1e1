"""Password rules (NIST SP 800-63B): length, no composition rules, never a common password —
for staff created on the command line and for rights holders registering on the portal."""
import pytest

from enforcement.accounts import services as accounts
from enforcement.auth.passwords import common_passwords, password_problem
from enforcement.errors import Invalid


@pytest.mark.parametrize("password", [
    "password", "123456789", "1314520520", "Woaini1314", "QQ123456", "1qaz2wsx",
    "hetao123",  # this system's own guess list
])
def test_common_passwords_are_refused_whatever_their_case(app, password):
    assert password.lower() in common_passwords()
    assert "太常见" in password_problem(password)


@pytest.mark.parametrize("password", [
    "河套面粉香又白啊",  # eight Chinese characters: long enough, no digits or capitals needed
    "correct horse battery staple", "lowercaseonly", "巴彦淖尔 2026 清风",
])
def test_any_long_enough_uncommon_password_is_accepted(app, password):
    assert password_problem(password, username="wang") is None


def test_short_or_same_as_the_name_is_refused(app):
    assert "至少需要 8 个字符" in password_problem("Ab3$xyz")
    assert "不能与用户名相同" in password_problem("Wang.Lawyer", username="wang.lawyer")
    assert "不能超过256个字符" in password_problem("长" * 257)


def test_the_portal_registration_refuses_a_common_password_in_chinese(app):
    with pytest.raises(Invalid) as refused:
        accounts.register(username="hetao_coop", full_name="河套农业合作社",
                          password="qwerty123", phone="13904780001")
    assert "太常见" in refused.value.errors["password"][0]


def test_the_command_line_refuses_a_common_password(app, runner):
    result = runner.invoke(args=["users", "create", "clerk9", "--name", "张文书",
                                 "--role", "inspector", "--unit", "linhe_amr"],
                           input="password1\npassword1\n")
    assert result.exit_code != 0 and "太常见" in result.output
    ok = runner.invoke(args=["users", "create", "clerk9", "--name", "张文书",
                             "--role", "inspector", "--unit", "linhe_amr"],
                       input="河套面粉香又白啊\n河套面粉香又白啊\n")
    assert ok.exit_code == 0, ok.output
