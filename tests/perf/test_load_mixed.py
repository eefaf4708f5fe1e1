"""The mixed-load benchmark in small (issue 10 item 6): bench/load_mixed.py's simulated users —
public filing through the API and the web form, staff reading, inspectors acting through the
API, PDF downloads — against gunicorn on this run's database (PostgreSQL with
TEST_DATABASE_URL), then every record counted. The full run (100 users, 5 minutes, p95) is the
benchmark's; here every answer must be the expected one and every record stored exactly once."""
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from load_mixed import ACTIONS, run_scenario  # noqa: E402


def test_mixed_load_answers_every_request_and_stores_each_record_once(database_url, tmp_path):
    result = run_scenario(database_url, users=5, duration=10, ramp=1, warm_up=3, workers=2,
                          threads=4, storage=str(tmp_path / "storage"))

    # no user had to give up (every login worked), no unexpected status, no connection error
    assert result["users_stopped"] == []
    assert result["total"]["errors"] == 0, result["error_examples"]
    # all four kinds of work were done, and logins both through the form and for a token
    kinds = result["kinds"]
    for kind in ("filing/API POST", "filing/web POST", "views/work list", "views/case page",
                 "views/search", "downloads/document PDF", "login/web POST", "login/API token"):
        assert kinds.get(kind, {}).get("requests", 0) > 0, (kind, sorted(kinds))
    assert any(kinds.get(f"actions/API {name}", {}).get("requests") for name in ACTIONS)

    records = result["records"]
    reports = records["reports"]
    # each filing answered is one stored report, registered, with the tracking number it was
    # answered with; none stored without an answer, none twice
    assert reports["answered"] > 0
    assert reports["stored"] == reports["answered"] == reports["tracking_numbers_answered"]
    assert (reports["lost"], reports["stored_unanswered"]) == ([], [])
    assert (reports["answered_twice"], reports["unregistered"]) == (0, 0)
    # each action answered is one case event, the one named in the answer
    actions = records["actions"]
    assert actions["answered"] > 0
    assert actions["stored"] == actions["answered"]
    assert actions["stored_by_action"] == {name: actions["answered_by_action"].get(name, 0)
                                           for name in ACTIONS}
    assert (actions["lost"], actions["stored_unanswered"], actions["answered_twice"]) == (0, 0, 0)
    # one evidence row per report file and per recorded photo; one audit row per download
    assert records["evidence"]["stored"] == records["evidence"]["expected"] > 0
    assert records["downloads"]["audited"] == records["downloads"]["answered"] > 0
    assert records["audit_chain"]["ok"]
    assert result["records_exact"]
