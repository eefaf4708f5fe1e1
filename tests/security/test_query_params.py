"""Sort, filter and paging keys from the query string go through allowlists.

Every list route is called with hostile values for each of its parameters: a column name that
is not a sort key, SQL in a filter, negative, huge and non-ASCII page numbers, oversized page
sizes, unknown keys. Each must answer with its default behaviour or a 4xx with a message —
never a 500 — and never show a column that is not on the list (password hashes, tokens).
"""
import pytest
from sqlalchemy import select

from enforcement.auth.models import User
from enforcement.extensions import db
from tests.conftest import Browser

HUGE = str(10 ** 20)

#: hostile values tried for every parameter a route reads
HOSTILE = ("password_hash", "id;drop table users", "__class__", "' or 1=1 --", "-1", HUGE,
           "²", "\\", "\x00")

#: (who, path, parameters the view reads) — every GET list or search route of the app.
#: ``None`` is an anonymous visitor; ``"api:<user>"`` calls the JSON API with a token.
ROUTES = [
    ("linhe_inspector1", "/cases/",
     ("sort", "order", "state", "stage", "page", "unit", "inspector", "mine", "q", "number",
      "party", "credit_code", "mark", "date_from", "date_to", "per_page")),
    ("api:linhe_inspector1", "/api/v1/cases",
     ("sort", "order", "state", "stage", "page", "unit", "inspector", "q", "date_from",
      "per_page")),
    ("linhe_inspector1", "/queues/deadlines", ("page", "order")),
    ("linhe_head", "/queues/approvals", ("page",)),
    ("auditor", "/audit/", ("action", "actor", "page", "sort", "unit", "object_type", "ip")),
    ("auditor", "/audit/export.csv", ("action", "page", "unit")),
    ("police_linhe", "/inbox/police", ("filter", "page", "sort")),
    ("court_linhe", "/inbox/court", ("filter", "page")),
    ("procurator_city", "/inbox/procuratorate", ("filter", "page")),
    ("api:police_linhe", "/api/v1/referrals", ("filter", "kind", "page", "sort")),
    (None, "/penalties/", ("party", "code", "mark", "district", "from", "to", "page", "sort")),
    (None, "/api/v1/public/penalties",
     ("party", "code", "mark", "district", "from", "to", "page", "page_size")),
    ("supervisor", "/stats/", ("year", "quarter", "campaign_id", "unit_id")),
    ("supervisor", "/stats/cases",
     ("figure", "dim", "key", "page", "year", "quarter", "campaign_id", "unit_id")),
    ("supervisor", "/stats/export.csv", ("year", "quarter", "campaign_id", "unit_id")),
    ("api:supervisor", "/api/v1/stats/quarterly",
     ("year", "quarter", "campaign_id", "unit_id", "format")),
    ("supervisor", "/campaigns/", ("page", "sort")),
    ("linhe_inspector1", "/clocks/calculator", ("kind", "start", "days", "unit")),
    (None, "/portal/marks", ("q",)),
    (None, "/verify", ("code",)),
]
#: parameters a route needs to show anything (the hostile one is added to them)
BASE = {"/stats/cases": {"figure": "filed"}}


def _caller(client, who):
    """A function GETting a path with query parameters as ``who``."""
    if who is None:
        return lambda path, params: client.get(path, query_string=params)
    if who.startswith("api:"):
        response = client.post("/api/v1/auth/token",
                               json={"username": who[4:], "password": "demo-pass-2026"})
        assert response.status_code == 200, response.get_json()
        headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
        return lambda path, params: client.get(path, query_string=params, headers=headers)
    browser = Browser(client)
    assert browser.login(who).status_code == 302
    return lambda path, params: client.get(path, query_string=params)


def _secrets() -> list[str]:
    """Values of columns no list may show: every user's password hash."""
    return [h for h in db.session.scalars(select(User.password_hash)) if h]


@pytest.mark.parametrize("who,path,params", ROUTES, ids=[r[1] for r in ROUTES])
def test_hostile_query_values_never_break_a_list(client, who, path, params):
    call = _caller(client, who)

    def get(path, params):
        response = call(path, {**BASE.get(path, {}), **params})
        response.get_data()  # a streamed export runs to its end, inside the request
        response.close()
        return response

    baseline = get(path, {})
    assert baseline.status_code == 200, f"{path} as {who}: {baseline.status_code}"
    secrets = _secrets()
    tries = [(name, value) for name in params for value in HOSTILE]
    tries += [("unknown_key", "x"), ("order", "__class__"), ("per_page", "100000")]
    for name, value in tries:
        response = get(path, {name: value})
        where = f"{path}?{name}={value!r} as {who}"
        assert response.status_code < 500, f"{where}: {response.status_code}"
        assert response.status_code in (200, 302, 400, 404, 422), where
        body = response.get_data(as_text=True)
        assert not any(s in body for s in secrets), f"{where} shows a password hash"
        if response.status_code in (400, 422):
            _assert_chinese_message(response, where)


def _assert_chinese_message(response, where):
    """A refused parameter is explained in Chinese, naming what was wrong."""
    body = response.get_json(silent=True)
    text = str(body) if body is not None else response.get_data(as_text=True)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), f"{where}: no message: {text[:200]}"


def test_case_list_sorts_only_by_allowed_keys(client, browser):
    """An unknown sort key lists the cases in the default order, the same rows as no key."""
    browser.login("linhe_head")
    default = client.get("/cases/?q=").get_data(as_text=True)
    for value in ("password_hash", "id;drop", "__class__", "unit_id", "Case.id"):
        assert _case_links(client.get(f"/cases/?sort={value}").get_data(as_text=True)) == \
            _case_links(default)
    # an allowed key does change the order, so the comparison above can fail
    assert _case_links(client.get("/cases/?sort=oldest").get_data(as_text=True)) != \
        _case_links(default)


def _case_links(html: str) -> list[str]:
    import re

    return re.findall(r'href="/cases/(\d+)"', html)


def test_api_refuses_a_bad_page_with_a_message(api):
    api.as_user("linhe_inspector1")
    for value in ("-1", "0", "x", "²"):
        response = api.get("/api/v1/cases", query_string={"page": value})
        assert response.status_code == 422, value
        assert "页码" in str(response.get_json())


def test_public_page_size_is_capped(client):
    response = client.get("/api/v1/public/penalties", query_string={"page_size": "100000"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["page_size"] <= 100
    assert len(body["items"]) <= body["page_size"]
