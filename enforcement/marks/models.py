"""Registered trademarks."""
import enum
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from enforcement.db import enum_column
from enforcement.extensions import db


class MarkType(enum.Enum):
    ordinary = "ordinary"
    geographical_indication = "gi"  # 地理标志证明商标
    collective = "collective"  # 集体商标
    well_known = "well_known"  # 驰名商标


MARK_TYPE_LABELS = {
    MarkType.ordinary: _l("普通商标"),
    MarkType.geographical_indication: _l("地理标志证明商标"),
    MarkType.collective: _l("集体商标"),
    MarkType.well_known: _l("驰名商标"),
}


class Trademark(db.Model):
    """注册商标 — a registered mark."""

    __tablename__ = "trademarks"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 注册号 as issued by CNIPA
    reg_no: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    mark_type: Mapped[MarkType] = mapped_column(enum_column(MarkType))
    #: Nice classes 1–45
    nice_classes: Mapped[list[int]] = mapped_column(JSON, default=list)
    goods: Mapped[str] = mapped_column(String(400), default="")
    owner_name: Mapped[str] = mapped_column(String(120))
    #: the rights holder's portal account, when it has one
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    valid_until: Mapped[date | None]
    #: rows invented for the demo are marked as such
    is_demo: Mapped[bool] = mapped_column(default=False)

    @property
    def type_label(self):
        return MARK_TYPE_LABELS[self.mark_type]
