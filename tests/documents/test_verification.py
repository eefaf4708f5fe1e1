"""The public verification page: a genuine PDF verifies, a changed one does not, a revoked
document says so — and the page shows nothing personal (DESIGN §5, §6)."""
import io

import pytest

from enforcement.documents import services
from tests.conftest import Browser, user
from tests.documents.helpers import document_of_type


@pytest.fixture
def public(client):
    return Browser(client)


def upload(public, code, data: bytes):
    token = public.csrf(f"/verify/{code}")
    return public.client.post(f"/verify/{code}", data={
        "csrf_token": token, "pdf": (io.BytesIO(data), "notice.pdf", "application/pdf")},
        content_type="multipart/form-data")


def test_the_page_shows_what_the_issuer_vouches_for_and_nothing_personal(app, client):
    document = document_of_type("penalty_decision")
    party = document.data["party"]
    page = client.get(f"/verify/{document.verify_code}").get_data(as_text=True)

    for shown in (document.number, document.title, document.data["issuer"]["name"],
                  document.sha256, 'data-status="valid"'):
        assert shown in page
    for private in (party["name"], party["address"], party["credit_code"],
                    document.data["decision"]["violation"]):
        assert private not in page


def test_json_when_asked(app, client):
    document = document_of_type("penalty_decision")
    response = client.get(f"/verify/{document.verify_code}",
                          headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.is_json
    body = response.get_json()
    assert body["number"] == document.number and body["sha256"] == document.sha256
    assert body["revoked"] is False and body["issuer"] == document.data["issuer"]["name"]
    assert "party" not in body and "data" not in body
    missing = client.get("/verify/AAAAAAAAAAAAAAAAAAAAAAAA",
                         headers={"Accept": "application/json"})
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"


def test_codes_are_typed_in_groups_or_scanned(app, client):
    document = document_of_type("filing_approval")
    grouped = "-".join(document.verify_code[i:i + 4] for i in range(0, 24, 4)).lower()
    response = client.get(f"/verify?code={grouped}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{document.verify_code}")
    assert client.get("/verify?code=nonsense").status_code == 404
    assert client.get("/verify").status_code == 200


def test_a_genuine_pdf_verifies_and_a_changed_byte_does_not(app, public):
    document = document_of_type("penalty_decision")
    genuine = document.pdf
    page = upload(public, document.verify_code, genuine).get_data(as_text=True)
    assert 'data-result="identical"' in page

    tampered = bytearray(genuine)
    tampered[len(tampered) // 2] ^= 0x01
    page = upload(public, document.verify_code, bytes(tampered)).get_data(as_text=True)
    assert 'data-result="different"' in page and 'data-result="identical"' not in page


def test_a_revoked_document_says_so_and_points_to_its_correction(app, public):
    document = document_of_type("penalty_decision")
    code, pdf = document.verify_code, document.pdf
    corrected = services.correct(document.id, user("linhe_head"), "当事人名称有误。")

    page = public.client.get(f"/verify/{code}").get_data(as_text=True)
    assert 'data-status="revoked"' in page and corrected.number in page
    # the old PDF is still byte-identical to what was issued, and still revoked
    page = upload(public, code, pdf).get_data(as_text=True)
    assert 'data-result="identical"' in page and 'data-status="revoked"' in page
    body = public.client.get(f"/verify/{code}", headers={"Accept": "application/json"}).get_json()
    assert body["revoked"] is True and body["corrected_by"]["number"] == corrected.number


def test_an_upload_needs_the_form_token(app, client):
    document = document_of_type("filing_approval")
    response = client.post(f"/verify/{document.verify_code}",
                           data={"pdf": (io.BytesIO(document.pdf), "a.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
