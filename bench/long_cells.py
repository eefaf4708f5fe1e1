"""Benchmark: a form whose cell holds a long text — the stylesheet's fixed table layout against
the automatic one, in the same run.

The 举报登记表 of the demo data is rendered with the report's description (举报内容, up to
2,000 characters on the portal) at several lengths, Chinese text as reporters write it. Each
length is rendered with the notice stylesheet as it is (``table-layout: fixed`` for the
four-column forms) and with ``table-layout: auto`` added (how the forms were laid out before):
the automatic layout measures every cell's narrowest width by trying each line break, so its
time grows with the square of the text. Median of ``--repeat`` warm renders each, in one
process, alternately.

    .venv/bin/python bench/long_cells.py [--repeat 3] [--lengths 200 1000 2000]
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from render_documents import _app, _bare_html  # noqa: E402

SENTENCE = "举报人在该店购买的“河套”雪花粉，包装印刷粗糙，生产企业不在协会授权名单内。"
AUTO = "table.form { table-layout: auto; }"


def _render(html: str, css) -> float:
    from weasyprint import HTML

    started = time.perf_counter()
    HTML(string=html).write_pdf(stylesheets=css)
    return time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lengths", type=int, nargs="+", default=[200, 1000, 2000])
    args = parser.parse_args(argv)

    from weasyprint import CSS

    from enforcement.documents import pdf_worker
    from tests.documents.helpers import document_of_type

    stylesheet = (pdf_worker.ASSET_DIR / pdf_worker.STYLESHEET).read_text(encoding="utf-8")
    fixed, auto = [CSS(string=stylesheet)], [CSS(string=stylesheet + AUTO)]
    app = _app(None)
    with app.app_context():
        document = document_of_type("report_form")
        print(f"{'characters':>10}{'fixed ms':>10}{'auto ms':>10}{'auto / fixed':>14}")
        for length in args.lengths:
            data = dict(document.data)
            data["case"] = {**data["case"],
                            "summary": (SENTENCE * (length // len(SENTENCE) + 1))[:length]}
            html = _bare_html(document.doc_type, data)
            _render(html, fixed)  # warm: fonts, the layout's caches
            times = {"fixed": [], "auto": []}
            for _ in range(args.repeat):
                times["fixed"].append(_render(html, fixed))
                times["auto"].append(_render(html, auto))
            f, a = statistics.median(times["fixed"]), statistics.median(times["auto"])
            print(f"{length:>10}{f * 1000:>10.0f}{a * 1000:>10.0f}{a / f:>13.1f}×", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
