"""The city supervisor opens this quarter's page of the demo 河套 campaign, sees the charts,
drills into a figure, and downloads the XLSX and the PDF for the regional bureau (issue 9)."""
import io
import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from enforcement.campaigns.demo import NAME
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "campaigns"


def test_supervisor_reads_the_campaign_quarter_and_downloads_the_reports(live_server, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server}/login")
    page.get_by_label("用户名").fill("supervisor")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("link", name="专项行动/统计").click()
    page.get_by_role("link", name=NAME).click()
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()
    for chart in ("近四个季度趋势", "各地区立案和结案", "按商标类型立案", "移送公安机关及结果"):
        expect(page.get_by_role("img", name=chart)).to_be_visible()
    expect(page.get_by_text("统计口径").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "campaign.png"), full_page=True)

    units = page.locator('table[data-table="unit"]')
    total_filed = units.locator('tr.total a[data-figure="filed"]')
    filed = int(total_filed.inner_text())
    assert filed >= 1
    total_filed.click()
    expect(page.get_by_role("heading", name=re.compile("立案数"))).to_be_visible()
    expect(page.locator("tr[data-case-id]")).to_have_count(filed)
    expect(page.get_by_text("统计口径：本季度内经批准立案的案件数")).to_be_visible()
    page.screenshot(path=str(SHOTS / "drill.png"), full_page=True)
    page.go_back()

    with page.expect_download() as download:
        page.locator('a[data-export="xlsx"]').click()
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = workbook.worksheets[0]
    assert sheet["A1"].value.startswith(NAME)
    header = [c.value for c in sheet[3]]
    total = [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0] == "合计"][0]
    assert total[header.index("立案数")].startswith("=SUM(")

    with page.expect_download() as download:
        page.locator('a[data-export="pdf"]').click()
    pdf_path = SHOTS / "report.pdf"
    download.value.save_as(pdf_path)
    text = re.sub(r"\s+", "", "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pdf_path.read_bytes())).pages))
    assert re.sub(r"\s+", "", NAME) in text and "合计" in text and "统计口径" in text
    # pages as pictures, to be looked at (test-artifacts/campaigns/report-*.png)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf_path), str(SHOTS / "report")],
                   check=True)
