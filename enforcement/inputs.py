"""Guards on raw input that hold for every request, before any view reads it.

Two things no view should have to remember: an id in a URL that does not fit the database's
integers (PostgreSQL refuses the query, SQLite's driver refuses to send it), and a NUL
character in a string (PostgreSQL text cannot hold one; SQLite would store it silently). Both
are caught here, once, with a 404 and a 400 that say what is wrong instead of a 500.
"""
from flask import Flask, Request, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from enforcement.query_args import MAX_INT

#: the largest id a URL may name: ids are PostgreSQL INTEGER columns, which refuse to compare
#: with anything larger ("integer out of range"); SQLite's driver stops at 64 bits
MAX_ID = MAX_INT
NUL = "\x00"


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: a number past the database's integers matches no route
    (404, as any id that names nothing), never an overflow in the driver."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def has_nul(value) -> bool:
    """Whether a string anywhere in ``value`` (a JSON document, a list, a dict's keys or
    values) holds a NUL character."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    return False


def refuse_nul(*values) -> None:
    """Raise NulCharacter if any of ``values`` holds a NUL (for input only a view decodes,
    e.g. a JSON document sent as a file part)."""
    if any(has_nul(v) for v in values):
        raise NulCharacter()


class MalformedInput(BadRequest):
    """Input no view can take: answered 400 with the error page, or the API's error body
    with ``error_code``."""
    code = 400
    error_code = "malformed"


class NulCharacter(MalformedInput):
    error_code = "nul_character"

    def __init__(self):
        super().__init__(description=_("请求中含有空字符（\\0），无法保存；请删除后重新提交"))


class NamelessPart(MalformedInput):
    """A multipart part without a name (RFC 7578 requires one): the parser would hand the
    CSRF check and the views a field named None."""
    error_code = "nameless_part"

    def __init__(self):
        super().__init__(description=_("提交的表单中有未命名的部分，请求格式有误；"
                                       "请通过页面或接口文档所述的字段提交"))


class GuardedRequest(Request):
    """The app's request: a multipart form (web forms with files, uploads through the API)
    is checked when it is first read, by the CSRF check or the view, after the body-size
    limit and the views' rate limits: every part has a name, and no field, field name or
    file name holds a NUL. The files' contents are data, checked by their own upload
    checks."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        if self.mimetype != "multipart/form-data":
            return
        if None in self.form or None in self.files:  # the parser's name for a nameless part
            raise NamelessPart()
        if _nul_in_fields(self.form) or any(has_nul(name) or has_nul(f.filename)
                                            for name, f in self.files.items(multi=True)):
            raise NulCharacter()


def _nul_in_fields(form) -> bool:
    return any(NUL in name or NUL in value for name, value in form.items(multi=True))


def _nul_in_request() -> bool:
    """NUL in the path, the query, a header, a URL-encoded form or a JSON body. Multipart
    bodies are checked when they are read (:class:`GuardedRequest`): reading them here would
    come before the views' upload limits and rate limits."""
    if NUL in request.path or has_nul(request.view_args or {}):
        return True
    if any(NUL in k or NUL in v for k, v in request.args.items(multi=True)):
        return True
    if any(NUL in v for _k, v in request.headers.items()):
        return True
    if request.mimetype == "application/x-www-form-urlencoded":
        return _nul_in_fields(request.form)
    if request.is_json:
        return has_nul(request.get_json(silent=True))
    return False


def register(app: Flask) -> None:
    """Install the id converter (before any blueprint adds its routes) and the NUL guards."""
    app.url_map.converters["int"] = IdConverter
    app.request_class = GuardedRequest

    @app.before_request
    def _refuse_nul():
        if _nul_in_request():
            raise NulCharacter()

    @app.errorhandler(MalformedInput)
    def _malformed(error):
        if not request.path.startswith("/api/"):
            return render_template("errors/error.html", code=error.code, title=_("请求有误"),
                                   message=error.description), error.code
        response = jsonify({"error": {"code": error.error_code, "message": error.description}})
        response.status_code = error.code
        return response
