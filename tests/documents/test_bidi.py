"""A bidi control typed in one value reorders nothing outside it: not in a notice, not on the
case page (issue 10). Ordinary text is written as it was typed, without invisible characters."""
import re

from sqlalchemy import select

from enforcement.cases.models import CaseGoods
from enforcement.documents import rendering
from enforcement.documents.bidi import FSI, PDI, isolate
from enforcement.extensions import db
from tests.conftest import Browser, case_in_state
from tests.documents.helpers import latest, pdf_text

RLO, LRI, RLM = "\u202e", "\u2066", "\u200f"
#: what a bidi control could hide in: every invisible character UAX #9 acts on
INVISIBLE = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def test_ordinary_text_is_left_as_it_is():
    for text in ("临河区解放街9号", "“河套”雪花粉 25kg (Premium)", "（2026）执1号", ""):
        assert isolate(text) == text


def test_a_value_with_controls_is_closed_and_isolated():
    assert isolate(f"{RLO}ABC") == f"{FSI}{RLO}ABC{PDI}"
    # an isolate left open is closed first: the outer PDI would close it instead
    assert isolate(f"{RLO}A{LRI}") == f"{FSI}{RLO}A{LRI}{PDI}{PDI}"
    # a PDI closing nothing would close the outer isolate: it is left out
    assert isolate(f"{PDI}{RLO}A") == f"{FSI}{RLO}A{PDI}"
    assert isolate("שלום 2026") == f"{FSI}שלום 2026{PDI}"


def _hearing_data(**hearing) -> dict:
    notice = latest("hearing_notice", case_in_state("hearing").id)
    return {**notice.data, "hearing": {**notice.data["hearing"], **hearing}}


def test_an_override_in_one_field_keeps_the_notice_text_around_it_in_order(app):
    """The hearing notice runs date, place, cause and host into one paragraph: an override
    left open in the host's name reverses that name only, not the words after it (without
    the isolation: 由担任听证主>x<UOHZ持人)."""
    data = _hearing_data(host=f"{RLO}ZHOU{RLM}<x>{LRI}")
    text = pdf_text(rendering.render("hearing_notice", data).pdf)
    place, cause = data["hearing"]["place"], data["case"]["cause"]
    assert f"在{place}对你（单位）{cause}一案" in text
    host = re.search(r"举行听证，由(.+?)担任听证主持人。请你（单位）按时出席。", text)
    assert host, text[:600]
    assert sorted(host.group(1)) == sorted("ZHOU<x>")  # drawn right to left, in its place

    ordinary = _hearing_data(place="临河区市场监管局听证室", host="周法制")
    assert not INVISIBLE.search(rendering.html("hearing_notice", ordinary))
    assert "举行听证，由周法制担任听证主持人。" in pdf_text(
        rendering.render("hearing_notice", ordinary).pdf)


def test_the_case_page_isolates_a_goods_name_from_its_quantity(app, client):
    case = case_in_state("investigating")
    goods = db.session.scalar(select(CaseGoods).where(CaseGoods.case_id == case.id))
    goods.name = f"{RLO}EVIL"
    db.session.commit()
    browser = Browser(client)
    browser.login("linhe_head")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"<li>{FSI}{RLO}EVIL{PDI} " in page
    assert FSI not in page.replace(f"{FSI}{RLO}EVIL{PDI}", "")  # nothing else is touched
