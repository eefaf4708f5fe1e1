"""The rendering engine: user text cannot inject markup, nothing outside the notices' own
assets is ever fetched, renders are bounded in time, and a warm render is fast."""
import base64
import io
import socket
import threading
import time

import pytest
from pypdf import PdfReader

from enforcement.documents import pdf_worker, rendering
from enforcement.documents.rendering import RenderError
from tests.conftest import case_in_state
from tests.documents.helpers import act, document_of_type, pdf_text


class Listener:
    """A loopback TCP server that only counts the connections it receives."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def hostile(port: int) -> str:
    url = f"http://127.0.0.1:{port}"
    return (f'<b>粗体</b><img src="file:///etc/passwd"><a href="{url}/leak">链接</a>'
            f'<style>@import url({url}/a.css); @font-face {{ font-family: x; '
            f'src: url({url}/f.woff) }} body {{ background: url({url}/bg.png) }}</style>'
            f'<link rel="attachment" href="file:///etc/passwd">'
            f'<img src="{url}/pixel.png"><script>alert(1)</script>')


def attachments(pdf: bytes) -> dict:
    return dict(PdfReader(io.BytesIO(pdf)).attachments)


def link_targets(pdf: bytes) -> list[str]:
    targets = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            targets.append(str(action.get("/URI", "")))
    return targets


def test_user_text_is_escaped_and_fetches_nothing(app, listener):
    text = hostile(listener.port)
    case = case_in_state("decision_review")
    issued = act(case.id, "decide_penalty", "linhe_head", violation=text,
                 legal_basis="《中华人民共和国商标法》第六十条第二款", fine="5000",
                 heavier_reasoning="二次侵权。")
    pdf = issued[0].pdf
    shown = pdf_text(pdf)

    assert '<imgsrc="file:///etc/passwd">' in shown  # shown as text, whitespace removed
    assert "@import" in shown and "@font-face" in shown and "<script>" in shown
    assert "root:" not in shown  # /etc/passwd was not read into the document
    assert attachments(pdf) == {}
    assert not any("127.0.0.1" in target for target in link_targets(pdf))
    time.sleep(0.3)
    assert listener.connections == 0


def test_the_engine_refuses_every_foreign_url_even_in_raw_html(listener):
    """Behind the escaping: markup that reached the engine still fetches nothing."""
    url = f"http://127.0.0.1:{listener.port}"
    raw = f"""<html><head><link rel="stylesheet" href="{url}/s.css">
      <style>@import url({url}/i.css); @font-face {{ font-family: evil; src: url({url}/f.ttf) }}
      p {{ font-family: evil; background: url(file:///etc/hostname) }}</style></head>
      <body><p>正文</p><img src="file:///etc/passwd"><img src="{url}/a.png">
      <img src="https://127.0.0.1:{listener.port}/b.png"><iframe src="{url}/f"></iframe>
      <object data="{url}/o"></object><a rel="attachment" href="file:///etc/passwd">附件</a>
      <a rel="attachment" href="{url}/att">附件二</a>
      <img src="notice-asset:../../../../etc/passwd"><img src="notice-asset:missing.png">
      <img src="data:image/svg+xml;base64,{base64.b64encode(b'<svg/>').decode()}">
      <img src="data:text/html,<h1>x</h1>"></body></html>"""
    result = rendering._POOL.render(raw, {}, 30)

    assert listener.connections == 0
    assert attachments(result.pdf) == {}
    refused = " ".join(result.refused)
    for expected in ("file:///etc/passwd", f"{url}/a.png", f"{url}/f.ttf", "https://127.0.0.1",
                     "notice-asset:../", "data:image/svg+xml", "data:text/html"):
        assert expected in refused, expected


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "http://127.0.0.1/x", "https://example.org/x", "ftp://h/x",
    "notice-asset:../notice.css", "notice-asset:/etc/passwd", "notice-asset:missing.css",
    "data:text/css,p{}", "data:image/svg+xml,<svg/>",
    "data:image/png;base64," + "A" * 40_000,
])
def test_the_fetcher_refuses(url):
    with pytest.raises(pdf_worker.FetchRefused):
        pdf_worker.make_fetcher().fetch(url)


def test_the_fetcher_serves_own_assets_and_small_images():
    fetcher = pdf_worker.make_fetcher({"qr.svg": b"<svg/>"})
    assert fetcher.fetch("notice-asset:qr.svg").read() == b"<svg/>"
    assert b"@page" in fetcher.fetch("notice-asset:notice.css").read()
    pixel = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 60).decode()
    assert fetcher.fetch(f"data:image/png;base64,{pixel}").read().startswith(b"\x89PNG")


def test_a_missing_field_fails_the_render_instead_of_leaving_a_blank(app):
    data = dict(document_of_type("penalty_notice").data)
    del data["finding"]
    with pytest.raises(Exception, match="finding"):
        rendering.html("penalty_notice", data)


def test_a_render_over_its_time_limit_is_stopped(app):
    started = time.monotonic()
    with pytest.raises(RenderError, match="longer than|no PDF worker"):
        rendering._POOL.render("<p>" + "长文本" * 200_000 + "</p>", {}, 0.05)
    assert time.monotonic() - started < 5
    # the pool recovers: the next render gets a fresh worker
    assert rendering._POOL.render("<p>正常</p>", {}, 30).pages == 1


def test_a_failed_render_rolls_the_action_back(app, monkeypatch):
    from enforcement.cases.models import Case
    from enforcement.extensions import db

    case = case_in_state("decision_review")
    before = (case.version, case.state, len(case.events))

    def broken(code, data):
        raise RenderError("disk full")

    monkeypatch.setattr(rendering, "render", broken)
    with pytest.raises(RenderError):
        act(case.id, "decide_penalty", "linhe_head", violation="违法事实",
            legal_basis="《中华人民共和国商标法》第六十条第二款", fine="5000",
            heavier_reasoning="二次侵权。")
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert (case.version, case.state, len(case.events)) == before


def test_a_warm_two_page_notice_renders_in_under_a_second(app):
    document = document_of_type("penalty_notice")
    assert document.page_count == 2
    rendering.render("penalty_notice", document.data)  # warm: worker started, fonts loaded
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        result = rendering.render("penalty_notice", document.data)
        timings.append(time.perf_counter() - started)
    assert result.pages == 2
    assert min(timings) < 1.0, timings


def test_the_same_data_renders_the_same_bytes(app):
    document = document_of_type("filing_approval")
    again = rendering.render(document.doc_type, document.data)
    assert again.template_version == document.template_version
    assert again.sha256 == document.sha256
