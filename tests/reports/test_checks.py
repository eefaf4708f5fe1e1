"""The content checks shared by the portal and the inspectors (enforcement.evidence.checks)."""
import io

import pytest

from enforcement.evidence import checks
from tests.reports.helpers import EXE, HTML, SVG, jpeg, mp4, pdf, png, png_header_only, polyglot


def check(data: bytes, name="f"):
    return checks.check_upload(io.BytesIO(data), name)


@pytest.mark.parametrize("data,kind", [
    (jpeg(), "image/jpeg"), (png(), "image/png"), (pdf(), "application/pdf"),
    (mp4(), "video/mp4"),
])
def test_accepted_by_content(app, data, kind):
    assert check(data, "renamed.bin").content_type == kind


@pytest.mark.parametrize("data", [
    EXE, SVG, HTML, polyglot(), png_header_only(), png(trailer=b"\x00junk"),
    b"%PDF-1.4\n1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n%%EOF",
    b"%PDF-1.4\n1 0 obj<</S/Launch/F(cmd.exe)>>endobj\n%%EOF",
    mp4()[:-4],  # a box cut short
    mp4()[:8] + b"evil" + mp4()[12:],  # not a video brand
    jpeg() + b"PK\x03\x04" + b"\x00" * 30 + b"PK\x05\x06" + b"\x00" * 18,  # a JPEG + ZIP
    b"",
], ids=["exe", "svg", "html", "jpeg-html", "png-bomb-header", "png-trailer", "pdf-js",
        "pdf-launch", "mp4-truncated", "mp4-brand", "jpeg-zip", "empty"])
def test_refused(app, data):
    with pytest.raises(checks.UploadRefused) as refused:
        check(data, "证据")
    assert "证据" in str(refused.value)


def test_oversize_is_its_own_refusal(app, monkeypatch):
    monkeypatch.setattr(checks, "MAX_BYTES", 10)
    with pytest.raises(checks.UploadTooLarge):
        check(jpeg())
