"""Security headers on every kind of response (issue 10 item 2): pages, downloads (streamed
ones too), the JSON API, error pages, public pages and static files."""
import pytest
from sqlalchemy import select

from enforcement.cases.models import Case
from enforcement.documents.models import Document
from enforcement.extensions import db
from enforcement.referrals.models import ReferralKind
from tests.conftest import case_in_state
from tests.packets.helpers import add_evidence, referral_to
from tests.web import ApiUser, fresh_client, logged_in

JPEG = b"\xff\xd8\xff\xe0" + b"header-test" * 50 + b"\xff\xd9"


def csp(response) -> dict[str, list[str]]:
    """The Content-Security-Policy as directive -> sources."""
    policy = response.headers.get("Content-Security-Policy", "")
    directives = (part.split() for part in policy.split(";") if part.strip())
    return {words[0].lower(): words[1:] for words in directives}


def effective(policy: dict, directive: str) -> list[str] | None:
    """What a browser applies: the directive, else default-src (for fetch directives)."""
    return policy.get(directive, policy.get("default-src"))


def assert_secure_headers(response, *, no_store: bool = False):
    policy = csp(response)
    assert policy, "no Content-Security-Policy"
    scripts = effective(policy, "script-src")
    assert scripts is not None and "'unsafe-inline'" not in scripts \
        and "'unsafe-eval'" not in scripts and "*" not in scripts
    assert effective(policy, "object-src") == ["'none'"]
    # neither falls back to default-src: they must be written out
    assert policy.get("base-uri") == ["'none'"]
    assert policy.get("frame-ancestors") == ["'none'"]
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") in ("same-origin", "no-referrer",
                                                       "strict-origin-when-cross-origin")
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here
    if no_store:
        assert "no-store" in response.headers.get("Cache-Control", "")


def staff(app, username="linhe_inspector1"):
    return logged_in(app, username).client


def _document_of(case: Case) -> Document:
    return db.session.scalar(select(Document).where(Document.case_id == case.id)
                             .order_by(Document.id))


# -- each kind of response: (how to get it, must it be no-store, expected status) ---------
def html_page(app):
    return staff(app).get("/dashboard")


def case_page(app):
    return staff(app).get(f"/cases/{case_in_state('investigating').id}")


def document_pdf(app):
    document = _document_of(case_in_state("decided"))
    response = staff(app, "linhe_head").get(f"/documents/{document.id}/pdf")
    assert response.mimetype == "application/pdf"
    return response


def evidence_file(app):
    case = case_in_state("investigating")
    evidence = add_evidence(case.id, "现场.jpg", JPEG)
    response = staff(app).get(f"/cases/{case.id}/evidence/{evidence.id}")
    assert response.data == JPEG
    return response


def referral_packet(app):
    referral = referral_to("linhe_police", ReferralKind.police)
    response = staff(app, "police_linhe").get(f"/referrals/{referral.id}/packet")
    assert response.is_streamed and response.mimetype == "application/zip"
    assert response.get_data()[:2] == b"PK"  # the whole stream, read after the headers
    return response


def stats_csv(app):
    response = staff(app, "supervisor").get("/stats/export.csv")
    assert response.mimetype == "text/csv"
    return response


def stats_xlsx(app):
    response = staff(app, "supervisor").get("/stats/export.xlsx")
    assert response.get_data()[:2] == b"PK"
    return response


def audit_csv(app):
    response = staff(app, "auditor").get("/audit/export.csv")
    assert response.is_streamed and response.mimetype == "text/csv"
    return response


def api_ok(app):
    response = ApiUser(app, "linhe_inspector1").get("/api/v1/cases")
    assert response.is_json
    return response


def api_unauthenticated(app):
    response = ApiUser(app).get("/api/v1/cases")
    assert response.is_json
    return response


def api_not_found(app):
    return ApiUser(app, "linhe_inspector1").get("/api/v1/cases/99999999")


def not_found(app):
    return staff(app).get("/no-such-page")


def forbidden(app):
    return staff(app, "admin").get("/audit/")


def method_not_allowed(app):
    return staff(app).get("/logout")


def too_large_form(app):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    return fresh_client(app).post("/portal/report", data={"description": "x" * 10_000})


def too_large_api(app):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    return fresh_client(app).post("/api/v1/reports", json={"description": "x" * 10_000})


def login_page(app):
    return fresh_client(app).get("/login")


def public_page(app):
    response = fresh_client(app).get("/penalties/")
    # published decisions are public and may be cached (README, Publicity)
    assert "public" in response.headers["Cache-Control"]
    return response


def static_file(app):
    response = fresh_client(app).get("/static/app.css")
    response.close()
    return response


KINDS = {
    "html_page": (html_page, True, 200),
    "case_page": (case_page, True, 200),
    "document_pdf": (document_pdf, True, 200),
    "evidence_file": (evidence_file, True, 200),
    "referral_packet": (referral_packet, True, 200),
    "stats_csv": (stats_csv, True, 200),
    "stats_xlsx": (stats_xlsx, True, 200),
    "audit_csv": (audit_csv, True, 200),
    "api_ok": (api_ok, True, 200),
    "api_unauthenticated": (api_unauthenticated, True, 401),
    "api_not_found": (api_not_found, True, 404),
    "not_found": (not_found, True, 404),
    "forbidden": (forbidden, True, 403),
    "method_not_allowed": (method_not_allowed, True, 405),
    "too_large_form": (too_large_form, True, 413),
    "too_large_api": (too_large_api, True, 413),
    "login_page": (login_page, True, 200),
    "public_page": (public_page, False, 200),
    "static_file": (static_file, False, 200),
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_response_carries_the_headers(app, kind):
    get, no_store, status = KINDS[kind]
    response = get(app)
    assert response.status_code == status, (kind, response.status_code)
    assert_secure_headers(response, no_store=no_store)


def test_a_server_error_page_carries_the_headers(app):
    """An exception no view caught: the 500 page still has them (and says nothing inside)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/_test/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = fresh_client(app).get("/_test/boom")
    assert response.status_code == 500
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert "系统错误" in response.get_data(as_text=True)
    assert_secure_headers(response, no_store=True)


@pytest.mark.parametrize("path", ["/login", "/penalties/", "/static/app.css",
                                  "/no-such-page"])
def test_hsts_only_over_tls(app, path):
    client = fresh_client(app)
    with client.get(path, base_url="https://localhost") as secure:
        hsts = secure.headers["Strict-Transport-Security"]
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000
    with client.get(path) as plain:
        assert "Strict-Transport-Security" not in plain.headers


def test_the_policy_allows_the_pages_own_scripts_and_styles(app):
    """The CSP is not just strict on paper: pages load their scripts from the site, and
    carry no inline script or inline event handler a strict policy would block."""
    html = staff(app).get(f"/cases/{case_in_state('investigating').id}") \
        .get_data(as_text=True)
    policy = csp(staff(app).get("/dashboard"))
    assert policy["script-src"] == ["'self'"]
    assert "<script>" not in html and " onclick=" not in html and " onload=" not in html
