"""The public page where a receiver uploads a packet, and the published key."""
import io
import re

from cryptography.hazmat.primitives import serialization
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from enforcement.packets import keys
from tests.packets.helpers import members, rezip


def upload(browser, data: bytes, name="卷宗包.zip", csrf=True):
    fields = {"packet": FileStorage(io.BytesIO(data), name)}
    if csrf:
        fields["csrf_token"] = browser.csrf("/packets/verify")
    # encoded in memory: the test client would spool a large body to a file it never closes
    boundary, body = encode_multipart(fields)
    return browser.client.post("/packets/verify", data=body,
                               content_type=f"multipart/form-data; boundary={boundary}")


def test_public_key_is_published_with_its_id(client, app):
    response = client.get("/packets/public-key.pem")
    assert response.status_code == 200
    key = serialization.load_pem_public_key(response.get_data())
    assert keys.key_id(key) == response.headers["X-Key-Id"] == keys.key_id()
    page = client.get("/packets/verify").get_data(as_text=True)
    assert keys.key_id() in page and "BEGIN PUBLIC KEY" in page


def test_valid_packet_passes_without_login(browser, packet):
    html = upload(browser, packet).get_data(as_text=True)
    assert 'data-result="valid"' in html
    assert html.count('data-status="ok"') == len(members(packet)) - 2
    assert "临河" in html  # what the packet says it is: the receiving unit


def test_changed_packet_fails_with_the_file_marked(browser, packet):
    contents = members(packet)
    path = next(p for p in contents if p.startswith("evidence/"))
    contents[path] = b"replaced"
    response = upload(browser, rezip(contents))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-result="invalid"' in html
    row = re.search(r'<tr data-path="([^"]+)" data-status="changed">', html)
    assert row and row.group(1) == path.replace('"', "&#34;")


def test_upload_without_csrf_token_is_refused(browser, packet):
    response = upload(browser, packet, csrf=False)
    assert response.status_code == 400
    assert 'data-result' not in response.get_data(as_text=True)


def test_upload_over_the_cap_is_refused(browser, app, packet):
    app.config["PACKET_VERIFY_MAX_BYTES"] = 64 * 1024
    response = upload(browser, packet)
    assert response.status_code == 413
    assert "无法在线校验" in response.get_data(as_text=True)


def test_not_a_zip_is_reported(browser, app):
    html = upload(browser, b"hello", "x.zip").get_data(as_text=True)
    assert 'data-result="invalid"' in html and "不是有效的 ZIP" in html


def test_uploads_are_rate_limited_per_address(browser, app):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "packet_verify": (2, 3600)}
    assert upload(browser, b"one").status_code == 200
    assert upload(browser, b"two").status_code == 200
    response = upload(browser, b"three")
    assert response.status_code == 429 and "Retry-After" in response.headers


def test_page_takes_packets_larger_than_the_app_wide_upload_limit(browser, app, packet):
    """Packets are larger than any other upload: the page's own cap applies, not the app's."""
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    assert len(packet) > 64 * 1024
    html = upload(browser, packet).get_data(as_text=True)
    assert 'data-result="valid"' in html
