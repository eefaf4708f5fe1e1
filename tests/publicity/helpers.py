"""Publishing demo cases and reading everything the public can see."""
import io
import re

from pypdf import PdfReader
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from enforcement.cases import services
from enforcement.extensions import db
from enforcement.publicity.models import PublicationEntry
from tests.conftest import case_in_state, user


def publish(case=None, **fields):
    case = case or case_in_state("decided")
    services.perform(case.id, "publish", user("linhe_head"), MultiDict(fields),
                     expected_version=case.version)
    return entry_of(case.id)


def entry_of(case_id) -> PublicationEntry:
    db.session.expire_all()
    return db.session.scalar(select(PublicationEntry).where(PublicationEntry.case_id == case_id)
                             .order_by(PublicationEntry.id.desc()))


def pdf_text(pdf: bytes) -> str:
    """Every text object pypdf can extract, whitespace removed (a value split over lines
    still matches)."""
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", "", text)


def everything_public(client) -> str:
    """The text of every public page, feed, API answer and published PDF."""
    parts = []
    for path in ("/penalties/", "/penalties/exposure", "/penalties/feed.atom",
                 "/api/v1/public/penalties?page_size=100", "/portal/"):
        response = client.get(path)
        assert response.status_code == 200, path
        parts.append(response.get_data(as_text=True))
    ids = [item["id"] for item in
           client.get("/api/v1/public/penalties?page_size=100").get_json()["items"]]
    assert ids
    for entry_id in ids:
        parts.append(client.get(f"/penalties/{entry_id}").get_data(as_text=True))
        parts.append(pdf_text(client.get(f"/penalties/{entry_id}/decision.pdf").data))
    return "\n".join(parts)
