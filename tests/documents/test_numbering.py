"""Document numbers: formats as dated rule data per unit and type, consecutive per unit, type
and year, allocated in the issuing transaction — no duplicates and no gaps, even when many
workers issue at once, and none consumed by an action that rolled back (DESIGN §4)."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from enforcement.cases import services
from enforcement.cases.models import Case
from enforcement.db import local_today
from enforcement.documents import rendering
from enforcement.documents.models import Document, NumberFormat
from enforcement.documents.numbering import (
    NumberFormatError,
    check_pattern,
    format_in_force,
    format_number,
)
from enforcement.documents.rendering import RenderError
from enforcement.extensions import db
from enforcement.orgs.models import OrgUnit
from tests.cases.test_concurrency import cases_in_filing_review, run_together
from tests.conftest import case_in_state
from tests.documents.helpers import act

PARALLEL = 16


def unit(code="linhe_amr") -> OrgUnit:
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def numbers(doc_type: str) -> list[int]:
    """The sequence numbers of a type issued by 临河区 this year, sorted."""
    year = local_today().year
    pattern = re.compile(rf"〔{year}〕(\d+)号$")
    found = db.session.scalars(select(Document.number).where(
        Document.doc_type == doc_type, Document.unit_id == unit().id))
    return sorted(int(m.group(1)) for n in found if n and (m := pattern.search(n)))


def test_default_format_has_hexagonal_brackets():
    assert format_number("{short}市监{word}〔{year}〕{n}号", short="临", word="处罚",
                         year=2026, n=12) == "临市监处罚〔2026〕12号"
    assert format_number("{short}市监{word}〔{year}〕{n:03}号", short="巴", word="立",
                         year=2026, n=7) == "巴市监立〔2026〕007号"


@pytest.mark.parametrize("pattern", ["{short}{word}{n}号", "{short}〔{year}〕号",
                                     "{short.__class__}〔{year}〕{n}号", "{unknown}{year}{n}",
                                     "〔{year}〕{n}号{"])
def test_formats_that_could_repeat_or_reach_python_are_refused(pattern):
    with pytest.raises(NumberFormatError):
        check_pattern(pattern)


def test_the_most_specific_format_in_force_applies(app):
    linhe, today = unit(), local_today()
    db.session.add_all([
        NumberFormat(unit_id=linhe.id, doc_type=None, pattern="{short}市监{word}字〔{year}〕{n}号",
                     effective_from=today - timedelta(days=30), source="test"),
        NumberFormat(unit_id=linhe.id, doc_type="penalty_decision",
                     pattern="{short}市监罚字〔{year}〕第{n:03}号",
                     effective_from=today - timedelta(days=1), source="test"),
        NumberFormat(unit_id=linhe.id, doc_type="penalty_decision",
                     pattern="{short}市监新罚〔{year}〕{n}号",
                     effective_from=today + timedelta(days=1), source="not yet in force"),
    ])
    db.session.commit()
    assert format_in_force(linhe.id, "penalty_decision", today).pattern == \
        "{short}市监罚字〔{year}〕第{n:03}号"
    assert format_in_force(linhe.id, "filing_approval", today).pattern == \
        "{short}市监{word}字〔{year}〕{n}号"
    assert format_in_force(unit("wuyuan_amr").id, "filing_approval", today).pattern == \
        "{short}市监{word}〔{year}〕{n}号"
    assert format_in_force(linhe.id, "penalty_decision", date(2013, 1, 1)).source.startswith(
        "GB/T 9704")

    case = case_in_state("decision_review")
    (decision,) = act(case.id, "decide_penalty", "linhe_head", violation="违法事实。",
                      legal_basis="《中华人民共和国商标法》第六十条第二款", fine="3000",
                      heavier_reasoning="二次侵权。")
    assert re.fullmatch(rf"临市监罚字〔{today.year}〕第\d{{3}}号", decision.number)


def test_a_rolled_back_issuance_leaves_no_gap(app, monkeypatch):
    before = numbers("penalty_decision")
    first, second = case_in_state("decision_review"), case_in_state("hearing")
    real_render = rendering.render

    def fail_once(code, data):
        monkeypatch.setattr(rendering, "render", real_render)
        raise RenderError("the render failed after the number was taken")

    monkeypatch.setattr(rendering, "render", fail_once)
    with pytest.raises(RenderError):
        act(first.id, "decide_penalty", "linhe_head", violation="违法事实。",
            legal_basis="《中华人民共和国商标法》第六十条第二款", fine="3000",
            heavier_reasoning="二次侵权。")
    assert numbers("penalty_decision") == before  # nothing kept from the failed action

    act(first.id, "decide_penalty", "linhe_head", violation="违法事实。",
        legal_basis="《中华人民共和国商标法》第六十条第二款", fine="3000",
        heavier_reasoning="二次侵权。")
    assert numbers("penalty_decision") == list(range(1, len(before) + 2))
    assert db.session.get(Case, second.id) is not None


def test_parallel_issuances_get_consecutive_numbers(app):
    """16 workers approve 16 filings at once: 16 new numbers, consecutive, no duplicates."""
    case_ids = cases_in_filing_review(PARALLEL)
    before = numbers("filing_approval")
    versions = {case_id: db.session.get(Case, case_id).version for case_id in case_ids}

    def approve(case_id):
        return lambda actor: services.perform(case_id, "approve_filing", actor,
                                              MultiDict({"opinion": "同意立案。"}),
                                              expected_version=versions[case_id])

    results = run_together(app, [("linhe_head", approve(case_id)) for case_id in case_ids])

    assert [kind for kind, _ in results] == ["won"] * PARALLEL, results
    db.session.expire_all()
    assert numbers("filing_approval") == list(range(1, len(before) + PARALLEL + 1))
    # each number is printed in its own PDF, and each PDF differs
    issued = db.session.scalars(select(Document).where(Document.case_id.in_(case_ids))).all()
    assert len({d.sha256 for d in issued}) == PARALLEL
    assert {d.number for d in issued} == {db.session.get(Case, d.case_id).case_no
                                          for d in issued}
