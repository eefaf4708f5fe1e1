"""The notice engine: plain data -> HTML (Jinja, autoescaped) -> PDF (WeasyPrint, bounded).

Templates live in ``templates/notices/``, one per document type, on a shared base layout.
They see only the plain dict they are given (never ORM objects), every value is escaped,
and an undefined name is an error rather than a blank in an official document. PDFs are made
in a small pool of worker processes (:mod:`enforcement.documents.pdf_worker`): each keeps one
font configuration warm, and a render that overruns its time limit is killed with its process.
"""
import atexit
import hashlib
import logging
import os
import pickle
import queue
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask import current_app, has_app_context
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from enforcement.documents import bidi, chinese, pdf_worker, qr

log = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "notices"
#: files every notice depends on besides its own template: the layout, the partials
#: (``_*.html``), the stylesheet and how values are written into them (bidi isolation)
SHARED_FILES = (TEMPLATE_DIR / "base.html", *sorted(TEMPLATE_DIR.glob("_*.html")),
                pdf_worker.ASSET_DIR / pdf_worker.STYLESHEET, Path(bidi.__file__))
QR_ASSET = "qr.svg"
DEFAULTS = {
    #: seconds a render may take, worker start included, before its process is killed
    "NOTICE_RENDER_TIMEOUT": 30,
    #: worker processes; renders queue for them
    "NOTICE_RENDER_PROCESSES": 2,
}


class RenderError(RuntimeError):
    """A document could not be rendered; the issuing action must not commit."""


@dataclass(frozen=True)
class RenderedDocument:
    pdf: bytes
    sha256: str
    pages: int
    template_version: str


def _setting(name: str):
    if has_app_context():
        return current_app.config.get(name, DEFAULTS[name])
    return DEFAULTS[name]


def _paragraphs(text) -> list[str]:
    """Running text as paragraphs: one per non-empty line (user text keeps its breaks)."""
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def _sentence(text) -> str:
    """User text run into one sentence of a paragraph, closed with a full stop if it has none."""
    joined = "".join(_paragraphs(text))
    return joined if not joined or joined[-1] in "。！？；…" else joined + "。"


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      auto_reload=False, finalize=bidi.finalize)
    env.filters.update(chinese.FILTERS)
    env.filters["paragraphs"] = _paragraphs
    env.filters["sentence"] = _sentence
    env.filters["grouped"] = qr.grouped
    return env


@cache
def template_version(code: str) -> str:
    """A digest of the files a document type is rendered with: changes when any of them does."""
    digest = hashlib.sha256()
    for path in (TEMPLATE_DIR / f"{code}.html", *SHARED_FILES):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def html(code: str, data: dict) -> str:
    return environment().get_template(f"{code}.html").render(data)


def generated_assets(data: dict) -> dict[str, bytes]:
    return {QR_ASSET: qr.svg(data["doc"]["verify_url"])}


def render(code: str, data: dict) -> RenderedDocument:
    """Render a document type from its data: the bytes to store, their SHA-256, page count."""
    source = html(code, data)
    result = _POOL.render(source, generated_assets(data), _setting("NOTICE_RENDER_TIMEOUT"))
    if result.refused:
        log.warning("%s: refused to fetch %s", code, result.refused)
    for message in result.warnings:
        log.info("%s: weasyprint: %s", code, message)
    return RenderedDocument(result.pdf, hashlib.sha256(result.pdf).hexdigest(), result.pages,
                            template_version(code))


class _WorkerDied(RenderError):
    pass


class _Worker:
    """One ``pdf_worker`` process and its pipes; used by one thread at a time."""

    #: renders after which a worker is replaced, so that caches cannot grow without bound
    LIFETIME = 500

    def __init__(self, deadline: float):
        package_root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [package_root, *filter(None, [os.environ.get("PYTHONPATH")])])}
        self.process = subprocess.Popen(
            [sys.executable, "-m", pdf_worker.__name__], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, env=env, cwd=package_root)
        self.renders = 0
        try:
            self._expect("ready", deadline)
        except BaseException:
            self.kill()
            raise

    def _read(self, n: int, deadline: float) -> bytes:
        chunks, fd = [], self.process.stdout.fileno()
        while n:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise TimeoutError
            chunk = os.read(fd, n)
            if not chunk:
                raise _WorkerDied("the PDF worker ended unexpectedly")
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def _expect(self, kind: str, deadline: float):
        size = pdf_worker.HEADER.unpack(self._read(pdf_worker.HEADER.size, deadline))[0]
        got, value = pickle.loads(self._read(size, deadline))
        if got == "error":
            raise RenderError(value)
        if got != kind:
            raise _WorkerDied(f"unexpected answer {got!r} from the PDF worker")
        return value

    def call(self, source: str, generated: dict, deadline: float) -> pdf_worker.Rendered:
        try:
            pdf_worker.write_message(self.process.stdin, (source, generated))
        except BrokenPipeError:
            raise _WorkerDied("the PDF worker ended unexpectedly") from None
        self.renders += 1
        return self._expect("ok", deadline)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.process.stdin.close()
        self.process.stdout.close()


class _RenderPool:
    """Worker processes started on demand, at most NOTICE_RENDER_PROCESSES of them.

    They are separate interpreters (``python -m``), not forks: they inherit none of the app's
    threads or database connections, and a worker that overruns its deadline is killed.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._workers: set[_Worker] = set()
        self._starting = 0

    def _acquire(self, deadline: float) -> _Worker:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            start = len(self._workers) + self._starting < _setting("NOTICE_RENDER_PROCESSES")
            self._starting += start
        if not start:
            try:
                return self._idle.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                raise TimeoutError from None
        try:
            worker = _Worker(deadline)
        finally:
            with self._lock:
                self._starting -= 1
        with self._lock:
            self._workers.add(worker)
        return worker

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._workers.discard(worker)
        worker.kill()

    def render(self, source: str, generated: dict, timeout: float) -> pdf_worker.Rendered:
        deadline = time.monotonic() + timeout
        try:
            worker = self._acquire(deadline)
        except TimeoutError:
            raise RenderError(f"no PDF worker was ready within {timeout} s") from None
        try:
            result = worker.call(source, generated, deadline)
        except TimeoutError:
            # the only way to stop a runaway layout is to end its process
            self._discard(worker)
            raise RenderError(f"rendering took longer than {timeout} s") from None
        except _WorkerDied:
            self._discard(worker)
            raise
        except RenderError:
            self._idle.put(worker)  # the document failed, the worker is fine
            raise
        except BaseException:
            self._discard(worker)
            raise
        if worker.renders >= worker.LIFETIME:
            self._discard(worker)
        else:
            self._idle.put(worker)
        return result

    def close(self) -> None:
        with self._lock:
            workers, self._workers = list(self._workers), set()
        for worker in workers:
            worker.kill()


_POOL = _RenderPool()
atexit.register(_POOL.close)
