"""A member of the public finds a seller's penalties; a natural person's ID number and phone
appear nowhere. Screenshots go to /tmp/shots/h8/ (or $PUBLICITY_SHOTS) for a person to see."""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("PUBLICITY_SHOTS", "/tmp/shots/h8"))


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def demo_person(database_url):
    """A published natural person of the demo data, with the identifiers of its case file."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT e.party_name, p.id_number, p.phone FROM publication_entries e "
            "JOIN case_parties cp ON cp.case_id = e.case_id JOIN parties p ON p.id = cp.party_id "
            "WHERE e.status = 'active' AND e.party_is_person AND e.typical")).one()
    engine.dispose()
    return row


def test_a_visitor_searches_a_seller_and_sees_no_personal_data(live_server, page,
                                                                database_url):
    name, id_number, phone = demo_person(database_url)
    page.goto(f"{live_server}/portal/")
    page.locator("[data-card='penalties']").click()
    expect(page.get_by_role("heading", name="商标侵权行政处罚信息公示")).to_be_visible()
    shot(page, "1-list")
    page.get_by_label("当事人名称").fill(name)
    page.get_by_role("button", name="查询").click()
    rows = page.locator("[data-list='penalties'] tbody tr")
    expect(rows).to_have_count(1)
    shot(page, "2-search")
    rows.first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="行政处罚信息摘要")).to_be_visible()
    expect(page.locator("[data-summary]")).to_contain_text(id_number[:4] + "*" * 10)
    shot(page, "3-entry")
    content = page.content()
    assert id_number not in content and phone not in content
    assert not re.search(r"1[3-9]\d{9}", page.locator("article").inner_text())
    page.goto(f"{live_server}/penalties/exposure")
    expect(page.get_by_role("heading", name="典型案例")).to_be_visible()
    expect(page.locator("[data-list='typical']")).to_contain_text(name)
    shot(page, "4-exposure")
