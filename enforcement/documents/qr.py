"""The verification QR code printed on every document."""
import io
import os

import segno
from flask import current_app, has_app_context

#: where the public verification page is reached from outside; set PUBLIC_BASE_URL in the
#: app config or the environment (the URL is printed into documents, so it must be stable)
DEFAULT_PUBLIC_BASE_URL = "http://localhost:5000"


def public_base_url() -> str:
    configured = current_app.config.get("PUBLIC_BASE_URL") if has_app_context() else None
    return (configured or os.environ.get("PUBLIC_BASE_URL") or DEFAULT_PUBLIC_BASE_URL
            ).rstrip("/")


def verify_url(code: str) -> str:
    return f"{public_base_url()}/verify/{code}"


def svg(url: str) -> bytes:
    """The QR code as SVG, sized by the stylesheet (no intrinsic size); error level M survives
    a stamp or a fold across part of it."""
    buffer = io.BytesIO()
    segno.make_qr(url, error="m").save(buffer, kind="svg", border=0, xmldecl=False,
                                       omitsize=True, nl=False)
    return buffer.getvalue()


def grouped(code: str) -> str:
    """A code as printed for typing: ABCD-EFGH-…"""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
