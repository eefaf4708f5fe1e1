"""The demo data already holds portal reports (seed-demo): tests count what they add."""
import pytest
from sqlalchemy import func, select

from enforcement.accounts.models import Mandate
from enforcement.cases.models import Case
from enforcement.evidence.models import Evidence
from enforcement.extensions import db
from enforcement.reports.models import Report

COUNTED = (Report, Evidence, Mandate, Case)
_baseline: dict = {}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture(autouse=True)
def _count_from_here(request):
    if "app" in request.fixturenames:
        request.getfixturevalue("app")
        _baseline.update({model: _count(model) for model in COUNTED})
    yield
    _baseline.clear()


def added(model) -> int:
    """Rows of ``model`` added since the test started."""
    return _count(model) - _baseline[model]


def latest(model):
    return db.session.scalar(select(model).order_by(model.id.desc()).limit(1))
