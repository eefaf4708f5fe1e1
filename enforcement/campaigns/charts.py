"""Charts of the statistics as SVG, drawn on the server: the same markup goes into the page and
into the PDF report (WeasyPrint draws inline SVG). Every text is escaped here; callers pass
plain values. Chinese labels use the bundled Noto CJK fonts.
"""
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape

FONT = "Noto Sans CJK SC, Noto Serif CJK SC, sans-serif"
#: colour-blind-safe palette (Okabe–Ito)
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 40, 70


@dataclass
class Series:
    name: str
    values: list[float]


@dataclass
class Reference:
    """A horizontal target line (e.g. the opinion's 2020 targets)."""

    label: str
    value: float


def _nice_max(value: float) -> float:
    """The top of the axis: four whole-number steps for small counts, else 1/2/2.5/5 × 10ⁿ."""
    if value <= 4:
        return 4
    if value <= 8:
        return 8
    step = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if value <= step * factor:
            return step * factor
    return step * 10


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:.1f}"


def _frame(title: str, top: float, slug: str) -> list[str]:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="{slug}-title" '
             f'class="stats-chart" data-chart="{slug}" font-family="{FONT}" font-size="12">',
             f'<title id="{slug}-title">{escape(title)}</title>',
             f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" font-size="15" '
             f'font-weight="bold">{escape(title)}</text>']
    plot_h = HEIGHT - TOP - BOTTOM
    for n in range(5):  # grid and y labels
        y = TOP + plot_h - plot_h * n / 4
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     f'stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">'
                     f'{escape(_number(top * n / 4))}</text>')
    return parts


def _legend(series: list[Series], references: list[Reference]) -> list[str]:
    parts, x = [], LEFT
    y = HEIGHT - 14
    for n, s in enumerate(series):
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" '
                     f'fill="{COLOURS[n % len(COLOURS)]}"/>')
        parts.append(f'<text x="{x + 14}" y="{y}">{escape(s.name)}</text>')
        x += 24 + 13 * len(s.name)
    for ref in references:
        parts.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 16}" y2="{y - 4}" stroke="#c00" '
                     f'stroke-dasharray="4 3" stroke-width="2"/>')
        parts.append(f'<text x="{x + 20}" y="{y}">{escape(ref.label)}</text>')
        x += 30 + 13 * len(ref.label)
    return parts


def _reference_lines(references, top, plot_h) -> list[str]:
    parts = []
    for ref in references:
        y = TOP + plot_h - plot_h * min(ref.value, top) / top
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     f'stroke="#c00" stroke-dasharray="6 4" stroke-width="2" '
                     f'data-reference="{escape(_number(ref.value))}"/>')
        parts.append(f'<text x="{WIDTH - RIGHT - 4}" y="{y - 4:.1f}" text-anchor="end" '
                     f'fill="#c00">{escape(ref.label)} {escape(_number(ref.value))}</text>')
    return parts


def _category_label(category: str, x: float, y: float, width: float) -> str:
    """A category under its bars, on two lines when it does not fit its group's width."""
    per_line = max(2, int(width // 11))
    lines = [category] if len(category) <= per_line else [
        category[:per_line],
        category[per_line:2 * per_line] + ("…" if len(category) > 2 * per_line else "")]
    spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if n == 0 else 13}">{escape(line)}</tspan>'
                    for n, line in enumerate(lines))
    return f'<text x="{x:.1f}" y="{y}" text-anchor="middle" font-size="10">{spans}</text>'


def bar_chart(title: str, categories: list[str], series: list[Series], *, slug: str,
              references: list[Reference] = ()) -> Markup:
    """Grouped vertical bars, one group per category, with optional target lines."""
    references = list(references)
    peak = max([v for s in series for v in s.values] + [r.value for r in references] + [0])
    top = _nice_max(peak)
    parts = _frame(title, top, slug)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group = plot_w / max(len(categories), 1)
    bar = group * 0.8 / max(len(series), 1)
    for i, category in enumerate(categories):
        x0 = LEFT + i * group + group * 0.1
        for n, s in enumerate(series):
            value = s.values[i] or 0
            h = plot_h * value / top
            x = x0 + n * bar
            parts.append(f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar - 1:.1f}" '
                         f'height="{h:.1f}" fill="{COLOURS[n % len(COLOURS)]}">'
                         f'<title>{escape(category)} {escape(s.name)}: '
                         f'{escape(_number(value))}</title></rect>')
            if value:
                parts.append(f'<text x="{x + bar / 2:.1f}" y="{TOP + plot_h - h - 3:.1f}" '
                             f'text-anchor="middle" font-size="10">'
                             f'{escape(_number(value))}</text>')
        parts.append(_category_label(category, x0 + group * 0.4, TOP + plot_h + 16, group))
    parts += _reference_lines(references, top, plot_h)
    parts += _legend(series, references)
    if not categories:
        parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" '
                     f'fill="#777">{escape(_("无数据"))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(title: str, labels: list[str], series: list[Series], *, slug: str,
               references: list[Reference] = ()) -> Markup:
    """One line per series over the labels (quarters), with optional target lines."""
    references = list(references)
    peak = max([v or 0 for s in series for v in s.values] + [r.value for r in references] + [0])
    top = _nice_max(peak)
    parts = _frame(title, top, slug)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels), 1)
    for i, label in enumerate(labels):
        parts.append(f'<text x="{LEFT + step * (i + 0.5):.1f}" y="{TOP + plot_h + 16}" '
                     f'text-anchor="middle" font-size="11">{escape(label)}</text>')
    for n, s in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        points = [(LEFT + step * (i + 0.5), TOP + plot_h - plot_h * (v or 0) / top)
                  for i, v in enumerate(s.values)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                     f'stroke-width="2.5"/>')
        for (x, y), v in zip(points, s.values, strict=True):
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                         f'<title>{escape(s.name)}: {escape(_number(v or 0))}</title></circle>')
            parts.append(f'<text x="{x:.1f}" y="{y - 7:.1f}" text-anchor="middle" '
                         f'font-size="10">{escape(_number(v or 0))}</text>')
    parts += _reference_lines(references, top, plot_h)
    parts += _legend(series, references)
    parts.append("</svg>")
    return Markup("".join(parts))


def report_charts(report) -> dict[str, Markup]:
    """The four charts of a quarterly report: trend, by unit, by mark type, transfers."""
    from enforcement.campaigns.stats import FIGURES_BY_CODE

    def label(code):
        return str(FIGURES_BY_CODE[code].label)

    units, types = report.tables[0], report.tables[1]
    trend = line_chart(
        _("近四个季度趋势"), [q.short for q, _v in report.trend],
        [Series(label(code), [v[code] for _q, v in report.trend])
         for code in ("received", "filed", "closed", "transferred")], slug="trend")
    by_unit = bar_chart(
        _("各地区立案和结案"), [_short_unit(r.label) for r in units.rows],
        [Series(label(code), [r[code] for r in units.rows]) for code in ("filed", "closed")],
        slug="units")
    by_type = bar_chart(
        _("按商标类型立案"), [r.label for r in types.rows],
        [Series(label("filed"), [r["filed"] for r in types.rows]),
         Series(label("closed"), [r["closed"] for r in types.rows])], slug="mark-types")
    total = units.total
    transfers = bar_chart(
        _("移送公安机关及结果"), [_("移送公安"), _("公安已立案"), _("公安不予立案")],
        [Series(_("案件数"), [total[c] for c in ("transferred", "police_filed",
                                                  "police_declined")])], slug="transfers")
    return {"trend": trend, "units": by_unit, "mark_types": by_type, "transfers": transfers}


def _short_unit(name: str) -> str:
    for prefix in ("巴彦淖尔市市场监督管理局", "巴彦淖尔市"):
        if name.startswith(prefix) and name != prefix:
            name = name.removeprefix(prefix)
    name = name.replace("市场监督管理局", "").replace("分局", "")
    return name or "市局"
