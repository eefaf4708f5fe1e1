"""The XSS corpus and its checks, shared by the XSS tests (``test_xss*.py``).

Each payload carries a unique marker. A page passes when every marker it shows is text: never
an element, an attribute, an event handler, a URL or a style, never the raw payload, never a
template evaluated (``{{7*7}}`` shown as 49): :func:`assert_inert_html`. A document passes when
the payload appears in its text literally and the render fetched nothing (a local server,
:class:`FetchCounter`, counts requests). The form parsers read a page's forms, to fill their
text fields as a browser would.
"""
import io
import re
import threading
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: payload templates: ``M`` is replaced by a unique marker, ``U`` by the fetch-counting
#: server's address. Each is a way a value could escape its text node.
TEMPLATES = (
    ("script", '<script>alert("M")</script>'),
    ("event", "<img src=x onerror=alert('M')>"),
    ("quote-break", "\"'><svg/onload=alert('M')>"),
    ("js-url", "<a href=\"javascript:alert('M')\">M</a>"),
    ("mathml", "<math><mtext><table><mglyph><style><img src=x onerror=alert('M')>"),
    ("css", "<div style=\"width:expression(alert('M'));background:url(javascript:M)\">M</div>"),
    ("template", "{{7*7}}M${7*7}#{7*7}{% print 7*7 %}"),
    ("rtl", "\u202eM\u200f<iframe src=javascript:alert('M')>\u2066"),
    ("fetch", '<img src="U/M.png"><link rel=stylesheet href="U/M.css">M'),
    ("css-import", '<style>@import "U/M.css";</style>M'),
)
#: a NUL character is refused for the whole request (enforcement.inputs): see its own test
NUL_PAYLOAD = "M\x00<script>M</script>"
#: what fits a short field (a name, a place): still breaks out of an attribute if unescaped
SHORT = (("short", "\"><b onmouseover=M>"), ("short-template", "{{7*7}}M"))
#: a very long value (fields of 2000 characters)
LONG_TEXT = 1900

MARKER_RE = re.compile(r"Xz\d{4}q")
#: attributes whose value is a URL, a style or script: user data must never reach them
ACTIVE_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "srcdoc",
                               "style", "background", "poster", "data", "srcset"})


class Corpus:
    """Hands out payloads with unique markers and remembers which field got which."""

    def __init__(self, fetch_url: str, long_text: int = LONG_TEXT):
        self.fetch_url = fetch_url
        self.long = ("long", "<b>M</b>" + "长" * long_text)
        self.count = 0
        self.by_marker: dict[str, tuple[str, str]] = {}  # marker -> (field, payload)

    def payload(self, field: str, max_length: int = 2000) -> str:
        self.count += 1
        marker = f"Xz{self.count:04d}q"
        choices = [t for _n, t in (*TEMPLATES, self.long) if len(self._fill(t, marker)) <= max_length]
        choices = choices or [t for _n, t in SHORT if len(self._fill(t, marker)) <= max_length]
        if not choices:
            return marker
        value = self._fill(choices[self.count % len(choices)], marker)
        self.by_marker[marker] = (field, value)
        return value

    def _fill(self, template: str, marker: str) -> str:
        return template.replace("U", self.fetch_url).replace("M", marker)


def _active(name: str, value: str) -> bool:
    """User text in an attribute that runs: a handler, a style, or a URL that is not a plain
    same-site or http(s) link with the text URL-encoded in it."""
    if name.startswith("on") or name in ("style", "srcdoc"):
        return True
    if name not in ACTIVE_ATTRIBUTES:
        return False
    scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", value)
    if scheme and scheme.group(1).lower() not in ("http", "https"):
        return True
    return any(c in value for c in "<>\" ")


class _Inspector(HTMLParser):
    """Collects where markers ended up: in text (fine) or in markup (an injection)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.raw_text: list[str] = []  # inside <script>/<style>

    def handle_starttag(self, tag, attrs):
        if MARKER_RE.search(tag):
            self.problems.append(f"element <{tag}>")
        for name, value in attrs:
            if MARKER_RE.search(name):
                self.problems.append(f"attribute {name} on <{tag}>")
            elif value and MARKER_RE.search(value) and _active(name, value):
                self.problems.append(f"{name}={value[:80]!r} on <{tag}>")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        if self.lasttag in ("script", "style") and self.cdata_elem and MARKER_RE.search(data):
            self.problems.append(f"inside <{self.lasttag}>: {data[:80]!r}")


def assert_inert_html(html: str, corpus: Corpus, where: str) -> set[str]:
    """The markers shown on the page, each only as text; returns them."""
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    assert inspector.problems == [], f"{where}: injected markup {inspector.problems[:5]}"
    shown = set(MARKER_RE.findall(html))
    for marker in shown & set(corpus.by_marker):
        field, value = corpus.by_marker[marker]
        if any(c in value for c in "<>\"'"):
            assert value not in html, f"{where}: {field} shown unescaped"
        assert f"49{marker}" not in html, f"{where}: {field} evaluated as a template"
    return shown


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def squeeze(text: str) -> str:
    """Text without white space and invisible controls (PDF extraction loses them)."""
    return re.sub(r"[\s\x00\u200b-\u200f\u202a-\u202e\u2066-\u2069]", "", text)


class FetchCounter:
    """A local HTTP server that counts every request: a render that fetches shows up."""

    def __init__(self):
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                self.wfile.write(b"body{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def png() -> bytes:
    from tests.reports.helpers import png as make_png

    return make_png()


# -- the forms of a page --------------------------------------------------------------------

class _FormFields(HTMLParser):
    """The text inputs and textareas of the page's forms (by name), and hidden values."""

    TEXT_TYPES = {"text", "search", "email", "tel", "url", None}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.hidden: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "textarea" and a.get("name"):
            self.text.append(a["name"])
        elif tag == "input" and a.get("name"):
            if a.get("type") == "hidden":
                self.hidden[a["name"]] = a.get("value") or ""
            elif a.get("type") in self.TEXT_TYPES:
                self.text.append(a["name"])


def form_fields(html: str) -> _FormFields:
    parser = _FormFields()
    parser.feed(html)
    return parser


class _FormValues(HTMLParser):
    """Every field of the page's first POST form with the value it shows (a browser's
    submission), and which of them take free text (with their maxlength)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: list[tuple[str, str]] = []
        self.text: dict[str, int] = {}
        self._select = self._textarea = None
        self._first_option = None
        self._in_form = self._done = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self._done and (a.get("method") or "").lower() == "post" \
                and not (a.get("action") or "").startswith(("/logout", "/lang")):
            self._in_form = True
        if not self._in_form or not a.get("name") and tag in ("input", "select", "textarea"):
            return
        if tag == "input":
            kind = a.get("type") or "text"
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.values.append((a["name"], a.get("value") or "y"))
            elif kind not in ("submit", "button", "file"):
                self.values.append((a["name"], a.get("value") or ""))
                if kind in _FormFields.TEXT_TYPES | {"text"}:
                    self.text[a["name"]] = int(a.get("maxlength") or 2000)
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values.append((a["name"], ""))
            self.text[a["name"]] = int(a.get("maxlength") or 2000)
        elif tag == "select":
            self._select, self._first_option = a["name"], None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                self.values.append((self._select, a.get("value", "")))

    def handle_data(self, data):
        if self._textarea:
            name, value = self.values[-1]
            self.values[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            if not any(n == self._select for n, _v in self.values):
                self.values.append((self._select, self._first_option or ""))
            self._select = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def submit_page_form(browser, path, corpus, only=None, skip=(), fixed=None):
    """Submit the page's form as shown, with payloads in its free-text fields (``only`` those
    whose name matches, none of ``skip``). Returns the response and {field: payload}."""
    parser = _FormValues()
    parser.feed(browser.client.get(path).get_data(as_text=True))
    assert parser.text, f"{path}: no text field found"
    payloads = {}
    data = []
    for name, value in parser.values:
        if name in parser.text and name not in skip and (only is None or re.search(only, name)):
            value = payloads[name] = corpus.payload(f"{path}:{name}", parser.text[name])
        data.append((name, (fixed or {}).get(name, value)))
    from werkzeug.datastructures import MultiDict

    return browser.client.post(path, data=MultiDict(data)), payloads


def _form_errors(response) -> list[str]:
    html = response.get_data(as_text=True)
    return re.findall(r'(?:invalid-feedback|text-danger|alert-danger)[^>]*>([^<]{1,200})', html)
