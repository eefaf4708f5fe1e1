"""The quarterly report as files: XLSX in the official column layout (totals as formulas,
frozen header, a sheet of definitions), CSV, and a PDF with the charts and tables."""
import csv
import io

from flask import render_template
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from enforcement.campaigns.charts import report_charts
from enforcement.campaigns.stats import (
    DIMENSIONS,
    FIELD_WORK,
    FIELD_WORK_DEFINITION,
    FIGURES,
    SCOPE_DEFINITION,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def columns(table) -> list[tuple[str, str]]:
    """(code, header) of a table's columns after the first (the group's name)."""
    out = [(f.code, str(f.label)) for f in FIGURES]
    if table.with_field_work:
        out += [(code, str(label)) for code, label in FIELD_WORK]
    return out


def _value(row, code):
    value = row[code]
    return "" if value is None else value


def cell_text(value) -> str:
    """Text for a spreadsheet cell that is shown and never run as a formula: a campaign's
    name (in the title) or a group's label comes from users, and a leading =, +, -, @ would
    make Excel evaluate it (CSV injection); openpyxl itself stores such a string as a
    formula. The leading apostrophe is Excel's own "this is text" mark."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def xlsx(report) -> bytes:
    wb = Workbook()
    first = True
    for table in report.tables:
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = str(table.title)[:31].replace("（", "(").replace("）", ")")
        _sheet(ws, report, table)
    _definitions(wb.create_sheet(_("统计口径")))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet(ws, report, table) -> None:
    cols = columns(table)
    width = len(cols) + 1
    ws.append([cell_text(report.title)])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([_("统计期间：%(start)s 至 %(end)s（按各项统计口径的时间计）",
                 start=report.quarter.first_day.isoformat(),
                 end=report.quarter.next_first_day.isoformat())])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    header = [cell_text(str(table.title).removeprefix("按"))] + [label for _code, label in cols]
    ws.append(header)
    for cell in ws[3]:
        cell.font, cell.fill, cell.border = Font(bold=True), HEAD_FILL, BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    ws.row_dimensions[3].height = 48
    for row in table.rows:
        ws.append([cell_text(row.label)] + [_value(row, code) for code, _label in cols])
    first, last = 4, 3 + len(table.rows)
    if table.total is not None:
        ws.append(_total_row(cols, first, last))
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    else:
        ws.append([_("注：一案涉及多个商标类型或商品类别的，在每一类中各计一次，各类之和可能大于合计。")])
    for r in ws.iter_rows(min_row=4, max_row=ws.max_row, max_col=width):
        for cell in r:
            cell.border = BOX
    ws.freeze_panes = "B4"
    ws.column_dimensions["A"].width = 30
    for n in range(2, width + 1):
        ws.column_dimensions[get_column_letter(n)].width = 12
    _number_formats(ws, cols)


def _total_row(cols, first: int, last: int) -> list:
    """SUM for the counts and amounts; the rate and the average from the summed columns."""
    letter = {code: get_column_letter(n + 2) for n, (code, _l) in enumerate(cols)}
    row = [_("合计")]
    for code, _label in cols:
        col = letter[code]
        if code == "closing_rate":
            closed, filed = letter["closed"], letter["filed"]
            row.append(f'=IF({filed}{last + 1}=0,"",ROUND({closed}{last + 1}/'
                       f'{filed}{last + 1}*100,1))')
        elif code == "avg_days":
            closed = letter["closed"]
            row.append(f'=IF(SUM({closed}{first}:{closed}{last})=0,"",ROUND(SUMPRODUCT('
                       f'{col}{first}:{col}{last},{closed}{first}:{closed}{last})/'
                       f'SUM({closed}{first}:{closed}{last}),1))')
        else:
            row.append(f"=SUM({col}{first}:{col}{last})")
    return row


def _number_formats(ws, cols) -> None:
    for n, (code, _label) in enumerate(cols, start=2):
        fmt = {"case_value": "#,##0.00", "penalties": "#,##0.00", "closing_rate": "0.0",
               "avg_days": "0.0"}.get(code, "0")
        for (cell,) in ws.iter_rows(min_row=4, min_col=n, max_col=n):
            cell.number_format = fmt


def _definitions(ws) -> None:
    ws.append([_("指标"), _("统计口径")])
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), HEAD_FILL
    for figure in FIGURES:
        ws.append([str(figure.label), str(figure.definition)])
    for _code, label in FIELD_WORK:
        ws.append([str(label), str(FIELD_WORK_DEFINITION)])
    ws.append([_("统计范围"), str(SCOPE_DEFINITION)])
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 100
    for (cell,) in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def csv_text(report) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 only with the mark
    writer = csv.writer(out)
    writer.writerow([cell_text(report.title)])
    for table in report.tables:
        cols = columns(table)
        writer.writerow([])
        writer.writerow([str(table.title)] + [label for _code, label in cols])
        rows = table.rows + ([table.total] if table.total is not None else [])
        for row in rows:
            writer.writerow([cell_text(row.label)] + [_value(row, code) for code, _label in cols])
    writer.writerow([])
    for figure in FIGURES:
        writer.writerow([str(figure.label), str(figure.definition)])
    return out.getvalue()


def pdf(report, *, generated_by: str) -> bytes:
    """The report through the notice engine's worker pool: its fonts, and its fetcher that
    loads nothing from outside."""
    from enforcement.documents import rendering

    html = render_template("campaigns/report_pdf.html", report=report,
                           charts=report_charts(report), columns=columns,
                           figures=FIGURES, field_work=FIELD_WORK,
                           field_work_definition=FIELD_WORK_DEFINITION,
                           dimensions=DIMENSIONS, generated_by=generated_by)
    result = rendering._POOL.render(html, {}, rendering._setting("NOTICE_RENDER_TIMEOUT"))
    if result.refused:
        raise rendering.RenderError(f"report fetched {result.refused}")
    return result.pdf
