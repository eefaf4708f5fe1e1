"""The rights holder answers an identification request from a phone, in Chromium."""
import subprocess
import sys
from pathlib import Path

import pytest

from config import TestConfig
from enforcement.cases.models import Case
from enforcement.clocks.models import ClockStatus
from enforcement.extensions import db
from tests.browser.conftest import CHROMIUM
from tests.clocks.helpers import clock
from tests.notifications.helpers import ask_identification, jpeg_with_exif, today_filed
from tests.notifications.test_holder_portal import PDF

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/h2")
JOURNEY = Path(__file__).with_name("holder_journey.py")


def test_holder_answers_an_identification_request_on_a_phone(app, live_server, tmp_path):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's Chromium",
                    pytrace=False)
    # the photos go where the live server (TestConfig) reads evidence from
    app.config["STORAGE_DIR"] = TestConfig.STORAGE_DIR
    case_id = today_filed()
    ask_identification(case_id, photos=[("seized.jpg", jpeg_with_exif())])
    db.session.remove()  # no transaction left open beside the live server's
    opinion = tmp_path / "辨认意见书.pdf"
    opinion.write_bytes(PDF)

    run = subprocess.run([sys.executable, str(JOURNEY), live_server, str(case_id),
                          str(opinion), str(SHOTS)], capture_output=True, text=True,
                         timeout=180)

    assert run.returncode == 0, run.stdout + run.stderr
    assert clock(case_id, "decision").status is ClockStatus.running
    events = [e.action for e in db.session.get(Case, case_id).events]
    assert events[-2:] == ["record_identification", "request_mediation"]
