"""Demo reports filed through the portal's own service (seed-demo; idempotent by key)."""
from datetime import timedelta

from sqlalchemy import select

from enforcement.accounts.models import Mandate
from enforcement.auth.models import User
from enforcement.auth.services import create_user
from enforcement.db import local_today
from enforcement.evidence.storage import get_storage
from enforcement.extensions import db
from enforcement.parties.identifiers import credit_code_check_char

AGENT = ("agent_zhixin", "知信知识产权代理有限公司（演示）")
#: a one-page PDF standing in for the scanned 授权委托书
MANDATE_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _code(body: str) -> str:
    return body + credit_code_check_char(body)


def seed_reports(password: str) -> int:
    """Three reports: an agent for holder_hetao's 河套 mark and the 临河 station for a
    cooperative, both about sellers in 五原县, and an anonymous one about an online shop whose
    seller's district the reporter does not know (the city bureau receives it). Returns how
    many were new. (临河区's demo cases stay as they were: tests count them.)"""
    from enforcement.reports.services import file_report

    today = local_today()
    agent = _agent(password)
    mandate = _mandate(agent, today)
    station = db.session.scalar(select(User).where(User.username == "station_linhe"))
    filings = [
        ("demo:agent-hetao", agent, {
            "trademark": {"registration_no": "90000001"}, "mandate_id": mandate.id,
            "infringer": {"name": "五原县丰盛粮油批发部（演示）",
                          "credit_code": _code("92150821MA0R00001"),
                          "address": "五原县隆兴昌镇解放街88号", "district": "wuyuan"},
            "description": "批发部销售印有“河套”地理标志的雪花粉，生产企业不在协会授权名单内。",
            "found_on": (today - timedelta(days=3)).isoformat(),
            "location": "五原县隆兴昌镇解放街88号",
            "goods": [{"name": "雪花粉（25kg）", "quantity": "40", "unit": "袋"}],
            "reporter": {"name": "知信代理 赵经办", "phone": "13904781001"}}),
        ("demo:station-linhe", station, {
            "trademark": {"registration_no": "90000003"},
            "principal": {"name": "临河区丰收肉羊养殖合作社（演示）", "contact": "13904781002"},
            "infringer": {"name": "五原县某肉食店（演示）", "address": "五原县胜丰镇北环路6号",
                          "district": "wuyuan"},
            "description": "肉食店以“巴美肉羊”名义销售外地羊肉，合作社社员在五原赶集时发现，"
                           "请临河区指导站代为举报。",
            "found_on": (today - timedelta(days=2)).isoformat(),
            "location": "五原县胜丰镇北环路6号",
            "goods": [{"name": "羊肉", "quantity": "120", "unit": "千克"}],
            "reporter": {"name": "临河指导站", "phone": "04788123456"}}),
        ("demo:anonymous-online", None, {
            "trademark": {"registration_no": "90000006"},
            "infringer": {"name": "向日葵炒货优选店（演示）", "district": "unknown",
                          "shop_url": "https://shop.example.com/wuyuan-chaohuo"},
            "description": "网店商品标题和包装使用“五原向日葵”，价格明显低于市场价。",
            "found_on": (today - timedelta(days=1)).isoformat(),
            "goods": [{"name": "葵花籽（500g）", "quantity": "10", "unit": "袋"}],
            "reporter": {"anonymous": True}}),
    ]
    created = 0
    for key, user, body in filings:
        created += file_report(body, submitted_by=user, idempotency_key=key).created
    return created


def _agent(password: str) -> User:
    agent = db.session.scalar(select(User).where(User.username == AGENT[0]))
    if agent is None:
        agent = create_user(AGENT[0], AGENT[1], password, roles=["rights_holder"])
        agent.phone = "13904781001"
        db.session.commit()
    return agent


def _mandate(agent: User, today) -> Mandate:
    mandate = db.session.scalar(select(Mandate).where(Mandate.agent_user_id == agent.id))
    if mandate is None:
        import hashlib
        import io

        key, size, sha256 = get_storage().put(io.BytesIO(MANDATE_PDF))
        assert sha256 == hashlib.sha256(MANDATE_PDF).hexdigest()
        mandate = Mandate(agent_user_id=agent.id, principal_name="巴彦淖尔市河套农产品协会（演示）",
                          principal_credit_code=_code("51150800MJ0000001"),
                          mark_numbers=["90000001"], valid_until=today + timedelta(days=365),
                          original_name="授权委托书（演示）.pdf", content_type="application/pdf",
                          size=size, sha256=sha256, storage_key=key)
        db.session.add(mandate)
        db.session.commit()
    return mandate
