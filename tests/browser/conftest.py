"""Browser fixtures: the app served on an ephemeral port, and headless Chromium pages.

Chromium is Debian's (/usr/bin/chromium); Playwright never downloads a browser here. When it
is missing the fixtures fail with a clear message: a browser test that silently skips would
hide a broken UI.
"""
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from enforcement import create_app
from enforcement.extensions import db

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
#: how long a locator waits before a step fails (the app answers locally in milliseconds)
TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # keep each phase's report on the test so that fixtures can see whether it failed
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _buffered(app):
    """Each answer read whole and its iterable closed before a byte is sent. Werkzeug's
    development server leaves a static file open when the browser drops the connection in
    the middle of it (a page left before its scripts arrived); the warning of the unclosed
    file then failed whichever test was running."""
    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()
    return wsgi


def serve(**config):
    """The app (TestConfig with ``config``) served on 127.0.0.1 in a thread while the context
    lasts; yields the base URL."""
    app = create_app("config.TestConfig", **config)
    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def live_server(database_url):
    """The app on a fresh copy of the demo database, served on 127.0.0.1; yields the base URL."""
    yield from serve(SQLALCHEMY_DATABASE_URI=database_url)


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
                    "(apt-get install chromium); `playwright install` cannot be used here",
                    pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page(request, chromium, **context_options):
    context = chromium.new_context(**context_options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    server_errors = []
    page.on("response", lambda r: server_errors.append(f"{r.status} {r.url}")
            if r.status >= 500 else None)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        artifacts = request.config.rootpath / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        try:
            page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
        except Exception as exc:  # the page may be gone; the failure itself is what matters
            print(f"no screenshot of the failed test: {exc}")
    context.close()
    assert not server_errors, f"the server answered with an error: {server_errors}"


@pytest.fixture
def page(request, chromium):
    """A desktop-sized page in a fresh browser context (no cookies)."""
    yield from _page(request, chromium, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone_page(request, chromium):
    """A phone-sized page (390×844, touch, mobile viewport rules)."""
    yield from _page(request, chromium, viewport={"width": 390, "height": 844},
                     is_mobile=True, has_touch=True)
