"""Building cases for the notification tests (on top of the clock tests' helpers)."""
import io

from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict

from enforcement.cases import services
from enforcement.cases.models import Case
from enforcement.db import local_today
from enforcement.extensions import db
from enforcement.outbox.models import OutboxMessage
from tests.clocks.helpers import act, filed, register, team  # noqa: F401
from tests.conftest import user

#: the party registered by ``register``: its name must never reach the reporter or holder
PARTY_NAME = "临河区期限测试商行"


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def ask_identification(case_id, photos=()) -> None:
    """The inspector asks the rights holder to identify the goods, with photos."""
    items = [("items", "查获的“河套”面粉 20 袋，请辨认包装及标识"),
             ("reply_by", local_today().isoformat())]
    items += [("photos", FileStorage(io.BytesIO(data), filename=name)) for name, data in photos]
    version = db.session.get(Case, case_id).version
    services.perform(case_id, "request_identification", user("linhe_inspector1"),
                     MultiDict(items), expected_version=version)


def messages(case_id, **where) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.case_id == case_id)
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def today_filed(**kwargs) -> int:
    return filed(local_today(), **kwargs)
