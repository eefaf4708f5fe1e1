"""The receivers' pages over HTTP with CSRF on: each inbox shows exactly what was sent to the
user's unit (or copied to its area), the referral page lets the receiver act, and the bureau
sees the answer on its case."""
import re
from datetime import timedelta

from sqlalchemy import select

from enforcement.audit.models import AuditEntry
from enforcement.cases.models import Case
from enforcement.db import acting_as_of, local_today
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from enforcement.referrals.models import Referral, ReferralKind
from tests.conftest import case_in_state
from tests.referrals.helpers import act, declined, receiver, referral, unit


def referral_ids(*where) -> set[int]:
    return set(db.session.scalars(select(Referral.id).join(OrgUnit, OrgUnit.id == Referral.unit_id)
                                  .where(*where)))


def listed(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-referral="(\d+)"', html)}


def page(browser, path) -> str:
    response = browser.client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_police_inbox_shows_its_unit_only(app, browser):
    linhe = referral_ids(Referral.kind == ReferralKind.police, OrgUnit.code == "linhe_police")
    city = referral_ids(Referral.kind == ReferralKind.police, OrgUnit.code == "city_police")
    assert len(linhe) >= 8 and len(city) >= 7  # the demo's transfers in each police state
    browser.login("police_city")
    html = page(browser, "/inbox/police?filter=all")
    assert listed(html) == city
    for state in ("unacknowledged", "pending", "supplement", "forwarded", "accepted",
                  "declined", "reconsideration"):
        assert f'data-status="{state}"' in html, state
    # another unit's transfer: not in the list, not on its page, and the try is audited
    some = min(linhe)
    assert browser.client.get(f"/referrals/{some}").status_code == 404
    denied = db.session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    assert (denied.action, denied.object_type, denied.object_id) == \
        ("access.denied", "referral", str(some))
    assert browser.client.get(f"/referrals/{some}/actions/acknowledge_transfer").status_code \
        == 404
    # a police user has no procuratorate or court inbox
    assert browser.client.get("/inbox/court").status_code == 404
    browser.logout()
    browser.login("police_linhe")
    assert listed(page(browser, "/inbox/police?filter=all")) == linhe


def test_police_land_on_their_inbox_with_a_count(app, browser):
    browser.login("police_linhe")
    html = page(browser, "/dashboard")
    assert "移送案件" in html and 'data-list="inbox-police"' in html
    badge = re.search(r"data-inbox-count>(\d+)<", html)
    open_ids = listed(html)  # the default filter: what waits for the police
    assert badge and int(badge.group(1)) == len(open_ids) > 0
    statuses = set(re.findall(r'data-referral="\d+" data-status="(\w+)"', html))
    assert statuses <= {"unacknowledged", "pending", "supplement", "reconsideration"}


def test_procurator_sees_its_area_only(app, browser):
    city_area = referral_ids(Referral.kind == ReferralKind.police)
    linhe_copies = set(db.session.scalars(select(Referral.id).join(
        OrgUnit, OrgUnit.id == Referral.copy_unit_id).where(
        OrgUnit.code == "linhe_procuratorate")))
    browser.login("procurator_city")  # the city procuratorate: every district below it
    assert listed(page(browser, "/inbox/procuratorate?filter=all")) == city_area
    browser.logout()
    receiver("procurator_linhe", "procurator", "linhe_procuratorate")
    browser.login("procurator_linhe")
    html = page(browser, "/inbox/procuratorate?filter=all")
    assert listed(html) == linhe_copies and linhe_copies < city_area
    assert "不予立案理由" in html  # the decline reasons are shown
    browser.logout()
    receiver("procurator_wuyuan", "procurator", "wuyuan_procuratorate")
    browser.login("procurator_wuyuan")
    assert listed(page(browser, "/inbox/procuratorate?filter=all")) == set()
    assert browser.client.get(f"/referrals/{min(linhe_copies)}").status_code == 404


def test_court_sees_applications_addressed_to_it_only(app, browser):
    court = referral_ids(Referral.kind == ReferralKind.court, OrgUnit.code == "linhe_court")
    police = referral_ids(Referral.kind == ReferralKind.police)
    browser.login("court_linhe")
    html = page(browser, "/inbox/court?filter=all")
    assert listed(html) == court and court
    assert browser.client.get(f"/referrals/{min(police)}").status_code == 404
    browser.logout()
    receiver("court_wuyuan", "court", "wuyuan_court")
    browser.login("court_wuyuan")
    assert listed(page(browser, "/inbox/court?filter=all")) == set()
    assert browser.client.get(f"/referrals/{min(court)}").status_code == 404


def test_police_sign_and_accept_from_the_referral_page(app, browser):
    case_id = case_in_state("referred").id
    r = referral(case_id)
    browser.login("police_linhe")
    html = page(browser, f"/referrals/{r.id}")
    assert f'href="/referrals/{r.id}/packet"' in html  # the signed packet (packets)
    assert 'data-action="acknowledge_transfer"' in html
    assert 'data-action="accept_transfer"' not in html  # sign first
    path = f"/referrals/{r.id}/actions/acknowledge_transfer"
    version = db.session.get(Case, case_id).version
    response = browser.post(path, {"version": version, "note": "已签收，回执。"})
    assert response.status_code == 303 and response.location.endswith(f"/referrals/{r.id}")
    html = page(browser, f"/referrals/{r.id}")
    assert 'data-status="pending"' in html and 'data-action="accept_transfer"' in html
    assert 'data-clock="police_decision"' in html
    path = f"/referrals/{r.id}/actions/accept_transfer"
    version = db.session.get(Case, case_id).version
    response = browser.post(path, {"version": version, "police_case_no": "临公经立字〔2026〕11号"})
    assert response.status_code == 303
    html = page(browser, f"/referrals/{r.id}")
    assert 'data-status="accepted"' in html and "临公经立字〔2026〕11号" in html
    # a missing field comes back on the form, in Chinese, and changes nothing
    other = case_in_state("referred", "city_amr").id  # a demo transfer to the 临河 police
    act(other, "acknowledge_transfer", "police_linhe")
    path = f"/referrals/{referral(other).id}/actions/decline_transfer"
    version = db.session.get(Case, other).version
    response = browser.post(path, {"version": version, "reason": "不构成犯罪。"})
    assert response.status_code == 422 and "不予立案的法定情形" in response.get_data(as_text=True)


def test_supervision_opinion_seen_by_bureau_and_police(app, browser):
    case_id = declined()
    r = referral(case_id)
    browser.login("procurator_city")
    html = page(browser, f"/referrals/{r.id}")
    assert 'data-action="record_supervision"' in html
    version = db.session.get(Case, case_id).version
    response = browser.post(f"/referrals/{r.id}/actions/record_supervision",
                            {"version": version, "kind": "filing_supervision",
                             "opinion": "请公安机关说明不立案理由。"})
    assert response.status_code == 303
    browser.logout()
    browser.login("police_linhe")
    html = page(browser, f"/referrals/{r.id}")
    supervision = html.split('data-list="supervision"')[1].split("</ul>")[0]
    assert "请公安机关说明不立案理由。" in supervision and "立案监督" in supervision
    browser.logout()
    browser.login("linhe_head")
    html = page(browser, f"/cases/{case_id}")
    assert "请公安机关说明不立案理由。" in html
    # the police's answer on the bureau's case page, and what the bureau may do now
    card = html.split('data-section="referrals"')[1].split("</section>")[0]
    assert "不予立案" in card and "现有证据不足以证明涉嫌犯罪。" in card and "没有犯罪事实" in card
    for name in ("request_reconsideration", "request_supervision", "resume_administrative"):
        assert f'data-action="{name}"' in html


def test_overdue_transfers_highlighted_for_the_procuratorate(app, browser):
    from enforcement.demo.seed import DemoCases
    from tests.conftest import user

    linhe = db.session.get(OrgUnit, unit("linhe_amr").id)
    users = {u: user(u) for u in ("linhe_head", "linhe_unit_head", "linhe_inspector1",
                                  "linhe_inspector2", "linhe_reviewer", "city_reviewer",
                                  "police_linhe")}
    with acting_as_of(local_today() - timedelta(days=6)):
        case = DemoCases(linhe, users).to_referred(DemoCases(linhe, users).new_case(90))
        act(case.id, "acknowledge_transfer", "police_linhe")
    late = referral(case.id).id
    browser.login("procurator_city")
    html = page(browser, "/inbox/procuratorate?filter=overdue")
    assert late in listed(html)
    item = html.split(f'data-referral="{late}"')[1].split("</li>")[0]
    assert "data-overdue" in item and "已超期" in item
    assert 'data-clock="police_decision"' in item
