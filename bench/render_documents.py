"""Benchmark: the notice engine against a bare WeasyPrint render of the same HTML.

For every document type, rendered from the demo data: the engine's warm render time (Jinja,
QR code, worker process round trip, digest) and a bare ``HTML(string=...).write_pdf()`` of the
same HTML in a fresh interpreter, each the median of N runs, side by side in one run; the engine's
overhead; and the PDF's pages and size (a two-page notice should stay under 400 KB).

    .venv/bin/python bench/render_documents.py [--repeat 20] [--database sqlite:///…] [TYPE…]

Without --database it migrates and seeds a temporary SQLite database first (about 20 s).
"""
import argparse
import base64
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _app(database: str | None):
    from flask_migrate import upgrade

    from enforcement import create_app
    from enforcement.demo.seed import seed

    url = database or f"sqlite:///{tempfile.mkdtemp(prefix='bench-')}/demo.sqlite3"
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=url)
    if database is None:
        with app.app_context():
            upgrade()
            seed("bench-pass-2026")
    return app


def _documents(types):
    """One document per type from the demo data (issuing the missing ones by their action)."""
    from enforcement.documents.types import DOC_TYPES
    from tests.documents.helpers import document_of_type

    return [document_of_type(code) for code in (types or sorted(DOC_TYPES))]


#: a bare WeasyPrint renderer in a fresh interpreter that has loaded nothing else — like the
#: engine's workers, so that neither side pays for the other's heap. It renders the HTML file
#: named on each line of stdin and answers with the seconds the render took.
BARE = """
import sys, time
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
font_config = FontConfiguration()
css = CSS(string=open(sys.argv[1]).read(), font_config=font_config)
for line in sys.stdin:
    html = open(line.strip()).read()
    started = time.perf_counter()
    pdf = HTML(string=html).write_pdf(stylesheets=[css], font_config=font_config)
    print(time.perf_counter() - started, len(pdf), flush=True)
"""


class Bare:
    def __init__(self):
        from enforcement.documents import pdf_worker

        self.process = subprocess.Popen(
            [sys.executable, "-c", BARE, str(pdf_worker.ASSET_DIR / pdf_worker.STYLESHEET)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.source = tempfile.NamedTemporaryFile("w", suffix=".html", encoding="utf-8")

    def load(self, html: str) -> None:
        self.source.seek(0)
        self.source.truncate()
        self.source.write(html)
        self.source.flush()

    def render(self) -> float:
        self.process.stdin.write(self.source.name + "\n")
        self.process.stdin.flush()
        return float(self.process.stdout.readline().split()[0])

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()
        self.source.close()


def _bare_html(code, data) -> str:
    """The engine's HTML with the QR code inlined, so that the default fetcher can load it."""
    from enforcement.documents import rendering

    svg = rendering.generated_assets(data)[rendering.QR_ASSET]
    inline = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    return rendering.html(code, data).replace(f"notice-asset:{rendering.QR_ASSET}", inline)


def _side_by_side(code, data, bare: Bare, repeat: int) -> tuple[float, float, object]:
    """Median warm times of the engine and of bare WeasyPrint, taken alternately so that
    both see the same machine load."""
    from enforcement.documents import rendering

    bare.load(_bare_html(code, data))
    result = rendering.render(code, data)  # warm both
    bare.render()
    engine_times, bare_times = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        result = rendering.render(code, data)
        engine_times.append(time.perf_counter() - started)
        bare_times.append(bare.render())
    return statistics.median(engine_times), statistics.median(bare_times), result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database", help="an existing migrated, seeded database URL")
    parser.add_argument("types", nargs="*", help="document type codes (default: all)")
    args = parser.parse_args(argv)


    app = _app(args.database)
    with app.app_context():
        documents = _documents(args.types)
        bare = Bare()
        print(f"{'document type':<30}{'pages':>6}{'size KB':>9}{'engine ms':>11}"
              f"{'bare ms':>9}{'overhead':>10}")
        totals = [0.0, 0.0]
        for document in documents:
            code, data = document.doc_type, document.data
            engine, plain, result = _side_by_side(code, data, bare, args.repeat)
            totals[0] += engine
            totals[1] += plain
            print(f"{code:<30}{result.pages:>6}{len(result.pdf) / 1024:>9.0f}"
                  f"{engine * 1000:>11.0f}{plain * 1000:>9.0f}{engine / plain - 1:>10.1%}")
        print(f"{'all types (sum of medians)':<45}{totals[0] * 1000:>11.0f}"
              f"{totals[1] * 1000:>9.0f}{totals[0] / totals[1] - 1:>10.1%}")
        print(f"median of {args.repeat} warm renders each; engine = Jinja + QR + worker process "
              "round trip + SHA-256; bare = HTML(string).write_pdf() of the same HTML in a fresh "
              "interpreter with the same stylesheet and one font configuration, the two "
              "alternating")
        bare.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
