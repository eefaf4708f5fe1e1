"""Hypothesis strategies for an action's fields, drawn by the workflow state machine.

Valid values are built from the action's own form (its field specs and choices); broken ones are
missing, of the wrong type, too long, impossible dates, negative amounts or foreign ids.
"""
import io
from datetime import timedelta

from hypothesis import strategies as st
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict

from enforcement.cases.action_forms import field_choices
from enforcement.db import local_today
from enforcement.rules.assessment import PRICE_BASES_FOR

#: past-day fields (validation.PAST_DATES) get today or earlier; every other date is ahead
PAST_DATE_FIELDS = frozenset({"held_on", "served_on", "paid_on", "handed_on"})
#: 1×1 PNG, accepted by its content as evidence
PNG = io.BytesIO()
Image.new("RGB", (1, 1), (200, 30, 30)).save(PNG, "PNG")
PNG_BYTES = PNG.getvalue()
TEXT = st.text(alphabet="河套面粉假冒商标查处记录abcXYZ0123 <>&\"'", min_size=1, max_size=24) \
    .filter(str.strip)


def _money(low=1, high=5000):
    return st.decimals(min_value=low, max_value=high, places=2).map(str)


def _date(spec, today):
    if spec.name in PAST_DATE_FIELDS:
        return st.integers(0, 20).map(lambda d: (today - timedelta(days=d)).isoformat())
    # deadlines and hearing days lie ahead (a hearing ≥ 7 working days after the notice)
    return st.integers(14, 28).map(lambda d: (today + timedelta(days=d)).isoformat())


def _rows_value(spec):
    def row():
        parts = {}
        for column in spec.columns:
            if column.kind == "choice":
                parts[column.name] = st.sampled_from([v for v, _ in column.choices])
            elif column.kind == "decimal":
                parts[column.name] = st.integers(1, 500).map(str)
            elif column.kind == "money":
                parts[column.name] = _money(1, 300)
            elif column.required:
                parts[column.name] = TEXT.map(lambda s, n=column.max_length: s[:n])
        return st.fixed_dictionaries(parts).map(_consistent_price_basis)
    return st.lists(row(), min_size=1, max_size=2)


def _consistent_price_basis(row):
    # mostly a basis the law allows for the status; the rest exercise the refusal
    if "price_basis" in row and "status" in row and row["price_basis"] not in \
            PRICE_BASES_FOR[row["status"]] and hash(row.get("name")) % 4:
        row["price_basis"] = PRICE_BASES_FOR[row["status"]][0]
    return row


def valid_value(spec, case, today):
    """A value the action's form should accept for this field on this case."""
    kind = spec.kind
    if kind in ("text", "textarea"):
        return TEXT.map(lambda s: s[:spec.max_length])
    if kind == "date":
        return _date(spec, today)
    if kind == "money":
        return _money()
    if kind == "integer":
        return st.sampled_from([30, 15, 60])
    if kind == "decimal":
        return st.integers(1, 100).map(str)
    if kind == "bool":
        return st.booleans()
    if kind == "choice":
        return st.sampled_from([v for v, _ in spec.choices])
    if kind in ("unit", "document"):
        ids = [value for value, _ in field_choices(spec, case)]
        return st.sampled_from(ids) if ids else st.none()
    if kind == "users":
        ids = [value for value, _ in field_choices(spec, case)]
        if len(ids) < 2:
            return st.just(ids)
        return st.lists(st.sampled_from(ids), min_size=2, max_size=len(ids), unique=True)
    if kind == "files":
        return st.just([FileStorage(io.BytesIO(PNG_BYTES), "photo.png", content_type="image/png")])
    if kind == "rows":
        return _rows_value(spec)
    raise AssertionError(f"no strategy for field kind {kind}")


def broken_value(spec, foreign_ids):
    """A value the form must refuse (or, for free text, store inert)."""
    kind = spec.kind
    if kind in ("text", "textarea"):
        return st.sampled_from(["长" * (spec.max_length + 1), "<script>alert(1)</script>",
                                "'; DROP TABLE cases; --"])
    if kind == "date":
        return st.sampled_from(["1899-12-31", "9999-12-31", "2026-02-30", "明天", "20261301"])
    if kind in ("money", "decimal"):
        return st.sampled_from(["-1.00", "abc", "1e309", "NaN", "sNaN", "Infinity", "0.001",
                                "99999999999999999"])
    if kind == "integer":
        return st.sampled_from(["-30", "三十", "1.5", "2147483648", "99999999999999999999"])
    if kind in ("unit", "document"):
        return st.sampled_from(["abc", "-1", *map(str, foreign_ids)])
    if kind == "users":
        return st.sampled_from([["abc"], ["-1", "0"], [str(i) for i in foreign_ids[:2]]])
    if kind == "choice":
        return st.sampled_from(["", "not_a_choice", "<b>x</b>"])
    if kind == "files":
        return st.just([FileStorage(io.BytesIO(b"MZ\x90\x00 not a photo"), "photo.png",
                                    content_type="image/png")])
    if kind == "rows":
        return st.just([{c.name: "-1" for c in spec.columns}])
    return st.just("x")


def _formdata(action, values: dict) -> MultiDict:
    items = []
    for spec in action.fields:
        value = values.get(spec.name)
        if value is None or value is False:
            continue
        if spec.kind == "rows":
            for i, row in enumerate(value):
                items.extend((f"{spec.name}-{i}-{k}", str(v)) for k, v in row.items())
        elif isinstance(value, list):
            items.extend((spec.name, v if isinstance(v, FileStorage) else str(v)) for v in value)
        elif value is True:
            items.append((spec.name, "y"))
        else:
            items.append((spec.name, str(value)))
    return MultiDict(items)


@st.composite
def action_fields(draw, action, case, foreign_ids):
    """The action's fields: valid, optional ones often left out; sometimes one broken or a
    required one missing."""
    today = local_today()
    values = {}
    for spec in action.fields:
        if not spec.required and draw(st.booleans()):
            continue
        values[spec.name] = draw(valid_value(spec, case, today))
    if action.fields and draw(st.integers(0, 2)) == 0:
        spec = draw(st.sampled_from(action.fields))
        if draw(st.booleans()):
            values.pop(spec.name, None)
        else:
            values[spec.name] = draw(broken_value(spec, foreign_ids))
    return _formdata(action, values)
