"""The staff pages: the head's redaction preview and publishing from it (CSRF on), the
publication page's withdrawal, jurisdiction."""
from sqlalchemy import select

from enforcement.extensions import db
from enforcement.publicity.models import EntryStatus, PublicationEntry
from tests.conftest import case_in_state
from tests.publicity.helpers import entry_of, publish


def test_the_head_previews_masks_more_and_publishes(app, browser):
    case = case_in_state("decided")
    browser.login("linhe_head")
    path = f"/penalties/staff/cases/{case.id}/preview"
    page = browser.client.get(path).get_data(as_text=True)
    assert "公示预览" in page and "确认公示" in page and "没收侵权商品" in page
    again = browser.post(path, {"extra_masks": "没收侵权商品", "confirm": "preview",
                                "version": str(case.version)}).get_data(as_text=True)
    assert "没收侵权商品</textarea>" in again  # the mask is kept in the form
    assert "没收侵权商品" not in again.split("data-preview")[1].split("</article>")[0]
    response = browser.post(path, {"extra_masks": "没收侵权商品", "confirm": "publish",
                                   "version": str(case.version)})
    assert response.status_code == 302
    entry = entry_of(case.id)
    assert entry.status is EntryStatus.active and "没收侵权商品" not in entry.redacted_html


def test_the_preview_is_the_bureaus_only(app, browser):
    case = case_in_state("decided")
    browser.login("wuyuan_head")
    assert browser.client.get(f"/penalties/staff/cases/{case.id}/preview").status_code == 404
    browser.logout()
    assert browser.client.get(f"/penalties/staff/cases/{case.id}/preview").status_code == 302


def test_inspector_sees_the_preview_without_the_publish_button(app, browser):
    case = case_in_state("decided")
    browser.login("linhe_inspector1")
    page = browser.client.get(f"/penalties/staff/cases/{case.id}/preview").get_data(as_text=True)
    assert "公示预览" in page and "确认公示" not in page


def test_withdraw_from_the_publication_page(app, browser, client):
    entry = publish()
    browser.login("linhe_head")
    page = browser.client.get(f"/penalties/staff/{entry.id}").get_data(as_text=True)
    assert "撤回公示信息" in page and "信用修复" in page
    empty = browser.post(f"/penalties/staff/{entry.id}/withdraw", {"reason": ""},
                         token_from=f"/penalties/staff/{entry.id}")
    assert empty.status_code == 302 and entry_of(entry.case_id).status is EntryStatus.active
    browser.post(f"/penalties/staff/{entry.id}/withdraw", {"reason": "决定已被撤销"},
                 token_from=f"/penalties/staff/{entry.id}")
    assert entry_of(entry.case_id).status is EntryStatus.withdrawn
    # the bureau still finds it, with its record; the public no longer does
    page = browser.client.get(f"/penalties/staff/{entry.id}").get_data(as_text=True)
    assert "决定已被撤销" in page and 'data-status="withdrawn"' in page
    assert client.get(f"/penalties/{entry.id}").status_code == 404


def test_other_bureaus_do_not_see_the_publication_page(app, browser):
    entry = db.session.scalar(select(PublicationEntry).limit(1))
    browser.login("wuyuan_head")
    assert browser.client.get(f"/penalties/staff/{entry.id}").status_code == 404
    response = browser.post(f"/penalties/staff/{entry.id}/withdraw", {"reason": "x"},
                            token_from="/penalties/staff")
    assert response.status_code == 404


def test_the_portal_home_links_the_penalties(app, client):
    html = client.get("/portal/").get_data(as_text=True)
    assert 'href="/penalties/"' in html and "公示栏目即将开通" not in html
