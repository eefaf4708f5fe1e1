"""The PDF worker process: HTML to PDF with WeasyPrint, fetching nothing but the notices' assets.

Runs as ``python -m enforcement.documents.pdf_worker``, started and fed by the render pool of
:mod:`enforcement.documents.rendering`, so that a render that runs away can be killed. Each
process keeps one font configuration and one parsed stylesheet for all its renders.
"""
import base64
import logging
import os
import pickle
import re
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote_to_bytes

ASSET_DIR = Path(__file__).resolve().parent / "assets"
#: the only scheme served: notice-asset:<name>, a file of ASSET_DIR or a generated resource
ASSET_SCHEME = "notice-asset"
ASSET_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.(css|svg|png)$")
ASSET_TYPES = {"css": "text/css", "svg": "image/svg+xml", "png": "image/png"}
#: data: URLs are served only as small raster images (SVG could reference other URLs)
DATA_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif"})
MAX_DATA_BYTES = 16 * 1024
STYLESHEET = "notice.css"
#: a document longer than this is refused rather than laid out
MAX_PAGES = 60

_state: dict = {}


class FetchRefused(ValueError):
    """A URL the notices may not load."""


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class NoticeFetcher(URLFetcher):
        """Serves notice-asset: names and small data: images; refuses every other URL
        (file:, http:, https: including loopback, ftp:, …), so nothing is fetched and no
        redirect is ever followed."""

        def __init__(self, generated: dict[str, bytes]):
            super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False)
            self.generated = generated
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            try:
                if scheme == ASSET_SCHEME:
                    body, mime = self._asset(url[len(ASSET_SCHEME) + 1:])
                elif scheme == "data":
                    body, mime = _small_image(url)
                else:
                    raise FetchRefused("scheme not served")
            except FetchRefused:
                self.refused.append(url[:200])
                raise
            return URLFetcherResponse(url, body, {"Content-Type": mime})

        def _asset(self, name: str) -> tuple[bytes, str]:
            if not ASSET_NAME.match(name):
                raise FetchRefused("not an asset name")
            mime = ASSET_TYPES[name.rsplit(".", 1)[1]]
            if name in self.generated:
                return self.generated[name], mime
            path = ASSET_DIR / name
            if not path.is_file():
                raise FetchRefused("no such asset")
            return path.read_bytes(), mime

    return NoticeFetcher


def _small_image(url: str) -> tuple[bytes, str]:
    header, sep, payload = url[5:].partition(",")
    if not sep or len(payload) > MAX_DATA_BYTES * 4 // 3 + 4:
        raise FetchRefused("data: URL too long")
    params = header.split(";")
    mime = params[0].strip().lower()
    if mime not in DATA_IMAGE_TYPES:
        raise FetchRefused("data: URL is not a raster image")
    raw = payload.encode("ascii", "replace")
    body = base64.b64decode(raw) if "base64" in params[1:] else unquote_to_bytes(payload)
    if len(body) > MAX_DATA_BYTES:
        raise FetchRefused("data: image too large")
    return body, mime


def make_fetcher(generated: dict[str, bytes] | None = None):
    return _fetcher_class()(generated or {})


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage()[:300])


def initialise() -> None:
    """Load WeasyPrint, the font configuration and the stylesheet once per process."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    logger = logging.getLogger("weasyprint")
    logger.propagate = False  # warnings go back to the caller with the result
    font_config = FontConfiguration()
    css = CSS(string=(ASSET_DIR / STYLESHEET).read_text(encoding="utf-8"),
              font_config=font_config, url_fetcher=make_fetcher())
    _state.update(font_config=font_config, css=css, logger=logger)
    # the first layout loads fontconfig's cache and the CJK font: do it before any real work
    render("<p>文书</p>", {})


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    refused: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def render(html: str, generated: dict[str, bytes]) -> Rendered:
    """Lay out and write one PDF; raises RuntimeError (picklable) on any failure."""
    if not _state:
        initialise()
    from weasyprint import HTML

    fetcher = make_fetcher(generated)
    collect = _Collect()
    _state["logger"].addHandler(collect)
    try:
        # no base URL: a relative reference resolves to nothing and is dropped
        document = HTML(string=html, url_fetcher=fetcher).render(
            font_config=_state["font_config"], stylesheets=[_state["css"]])
        if len(document.pages) > MAX_PAGES:
            raise RuntimeError(f"document has {len(document.pages)} pages (max {MAX_PAGES})")
        pdf = document.write_pdf()
    except RuntimeError:
        raise
    except Exception as exc:  # noqa: BLE001 — WeasyPrint's errors may not pickle
        raise RuntimeError(f"{type(exc).__name__}: {exc}") from None
    finally:
        _state["logger"].removeHandler(collect)
    return Rendered(pdf, len(document.pages), fetcher.refused, collect.messages)


# -- the worker process's loop ---------------------------------------------------------------

HEADER = struct.Struct("!Q")


def write_message(stream, obj) -> None:
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()


def _read_message(stream):
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None  # the app closed the pipe: time to go
    return pickle.loads(stream.read(HEADER.unpack(header)[0]))


def serve() -> None:
    """Answer render requests from stdin on a private copy of stdout until stdin closes.

    Stray prints of libraries go to stderr, so they can never corrupt the channel.
    """
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    initialise()
    requests = sys.stdin.buffer
    write_message(channel, ("ready", None))
    while (request := _read_message(requests)) is not None:
        html, generated = request
        try:
            write_message(channel, ("ok", render(html, generated)))
        except RuntimeError as exc:
            write_message(channel, ("error", str(exc)))


if __name__ == "__main__":
    # run the module under its own name, so that what it pickles unpickles in the app
    from enforcement.documents import pdf_worker

    pdf_worker.serve()
