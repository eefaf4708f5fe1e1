"""Login and second-factor forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), [InputRequired(), Length(max=64)])
    password = PasswordField(_l("密码"), [InputRequired(), Length(max=256)])


class TotpCodeForm(FlaskForm):
    """A 6-digit code from the authenticator app (or, where allowed, a recovery code)."""

    code = StringField(_l("动态验证码"), [InputRequired(), Length(max=64)])
