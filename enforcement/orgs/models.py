"""The organisation tree that decides who sees which case."""
import enum

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enforcement.db import TransactionMemo, enum_column
from enforcement.extensions import db


class UnitKind(enum.Enum):
    bureau = "bureau"  # 市场监督管理局
    station = "station"  # 商标指导站
    police = "police"  # 公安机关
    procuratorate = "procuratorate"  # 人民检察院
    court = "court"  # 人民法院


class OrgUnit(db.Model):
    """组织机构 — an organisation unit; units form one tree per kind."""

    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stable machine code, e.g. ``linhe_amr``
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: short name used in document numbers, e.g. 临 in 临市监立〔2026〕3号
    short_name: Mapped[str] = mapped_column(String(20))
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    #: district code shared by the bureau, police, procuratorate and court of one area
    district: Mapped[str] = mapped_column(String(32), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped["OrgUnit | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["OrgUnit"]] = relationship(back_populates="parent")

    def __repr__(self) -> str:
        return f"<OrgUnit {self.code}>"


def subtree_select(unit_id: int):
    """The ids of the unit and every unit below it, as a subquery (recursive CTE)."""
    tree = select(OrgUnit.id).where(OrgUnit.id == unit_id).cte("tree", recursive=True)
    tree = tree.union_all(select(OrgUnit.id).where(OrgUnit.parent_id == tree.c.id))
    return select(tree.c.id)


#: the subtrees read in the current transaction, by unit id
_SUBTREES = TransactionMemo("enforcement.orgs.subtrees", OrgUnit)


def subtree_ids(unit_id: int) -> list[int]:
    """The unit and every unit below it (one query on both databases), read once per
    transaction: forgotten at commit and rollback, and when the transaction changes a unit."""
    known = _SUBTREES.get()
    if unit_id not in known:
        known[unit_id] = tuple(db.session.scalars(subtree_select(unit_id)))
    return list(known[unit_id])
