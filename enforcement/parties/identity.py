"""Recognising the same party across cases (DESIGN §4): by 统一社会信用代码 or 居民身份证号码
first, then by normalised name and address, shop URL or seller account.

Normalisation forgives what differs between two clerks typing the same thing — full-width and
half-width forms, spaces and punctuation, the province and city in front of an address, the
scheme, ``www.`` and tracking parameters of a shop link — and nothing more.
"""
import re
import unicodedata
from urllib.parse import urlsplit

from sqlalchemy import select

from enforcement.extensions import db
from enforcement.parties.identifiers import normalise
from enforcement.parties.models import Party

_PUNCTUATION = re.compile(r"[\s\-_·•.,，。、;；:：'\"“”‘’()（）\[\]【】{}<>《》/\\]+")
#: the province and prefecture in front of an address in this city; kept generic enough for
#: any "…省/自治区 …市" prefix
_ADDRESS_PREFIX = re.compile(
    r"^(中国|中华人民共和国)?([^市]{2,8}?(省|自治区))?([^市区县]{2,6}?市)?")


def name_key(name: str | None) -> str | None:
    if not name:
        return None
    text = unicodedata.normalize("NFKC", name).lower()
    return _PUNCTUATION.sub("", text) or None


def address_key(address: str | None) -> str | None:
    key = name_key(address)
    if key is None:
        return None
    return _ADDRESS_PREFIX.sub("", key, count=1) or key


def shop_key(url: str | None) -> str | None:
    """A shop link without scheme, ``www.``/``m.``, query and fragment, lower-cased host."""
    if not url or not url.strip():
        return None
    text = unicodedata.normalize("NFKC", url.strip())
    parts = urlsplit(text if "//" in text else "//" + text)
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    path = parts.path.rstrip("/")
    return f"{host}{path}" or None


def account_key(account: str | None) -> str | None:
    return name_key(account)


def set_keys(party: Party) -> None:
    party.name_key = name_key(party.name)
    party.address_key = address_key(party.address)
    party.shop_key = shop_key(party.shop_url)
    party.seller_key = account_key(party.seller_account)


def find_same(name, *, credit_code=None, id_number=None, address=None, shop_url=None,
              seller_account=None) -> Party | None:
    """The party already known that these particulars describe, or None.

    A party found by a weaker key is not the same when both carry a different identifier.
    """
    strong = [(Party.credit_code, normalise(credit_code) if credit_code else None),
              (Party.id_number, normalise(id_number) if id_number else None)]
    for column, value in strong:
        if value:
            party = db.session.scalar(select(Party).where(column == value)
                                      .order_by(Party.id).limit(1))
            if party is not None:
                return party
    weak = []
    if name_key(name) and address_key(address):
        weak.append((Party.name_key == name_key(name))
                    & (Party.address_key == address_key(address)))
    if shop_key(shop_url):
        weak.append(Party.shop_key == shop_key(shop_url))
    if account_key(seller_account):
        weak.append(Party.seller_key == account_key(seller_account))
    for condition in weak:
        for party in db.session.scalars(select(Party).where(condition).order_by(Party.id)):
            if _compatible(party, credit_code, id_number):
                return party
    return None


def _compatible(party: Party, credit_code, id_number) -> bool:
    # two different identifiers are two different parties, whatever their names say
    if credit_code and party.credit_code and normalise(credit_code) != party.credit_code:
        return False
    return not (id_number and party.id_number and normalise(id_number) != party.id_number)


def enrich(party: Party, **particulars) -> None:
    """Fill in what the known party lacks (never overwrite what it has)."""
    for field in ("credit_code", "id_number"):
        if particulars.get(field) and not getattr(party, field):
            setattr(party, field, normalise(particulars[field]))
    for field in ("address", "phone", "shop_url", "seller_account"):
        if particulars.get(field) and not getattr(party, field):
            setattr(party, field, particulars[field].strip())
    set_keys(party)
