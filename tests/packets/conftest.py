"""Fixtures of the packet tests: a demo transfer to 临河 police with evidence on the case."""
import pytest

from enforcement.referrals.models import ReferralKind
from tests.packets.helpers import add_evidence, download, referral_to

#: a marker that occurs once in a packet: where a test flips a byte of the evidence
MARKER = b"EVIDENCE-MARKER-" + bytes(range(256)) * 8


@pytest.fixture
def police_referral(app):
    referral = referral_to("linhe_police", ReferralKind.police)
    add_evidence(referral.case_id, "现场照片 1.jpg", b"\xff\xd8\xff" + MARKER + b"\xff\xd9")
    add_evidence(referral.case_id, "../../etc/检验报告.pdf", b"%PDF-1.4 report " * 1000,
                 content_type="application/pdf")
    return referral


@pytest.fixture
def packet(browser, police_referral) -> bytes:
    response = download(browser, "police_linhe", police_referral.id)
    assert response.status_code == 200
    return response.get_data()
