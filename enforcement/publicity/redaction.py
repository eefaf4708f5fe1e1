"""Redaction of a penalty decision before it is published: rules as data, applied to plain data.

What is hidden and why (DESIGN §6):

* a natural person's ID number, home address, phone number and bank account — in the party's
  fields and anywhere in free text (《市场监督管理行政处罚信息公示规定》, SAMR Order 45: personal
  information is hidden when a decision is published; article numbering R);
* the reporter, always: name and contact never appear (《市场监督管理投诉举报处理暂行办法》
  Art. 33, V);
* natural persons other than the party (people questioned, witnesses): their names, reduced to
  the surname and 某 — as courts and bureaus publish decisions (decision of this system, R);
* the head's extra masks, typed in before publishing.

Decided where the issue is silent: the party's own name stays published, also for a natural
person (an individual business operator is identified by name in the 行政处罚信息摘要, Order 45
Art. 6 "当事人基本情况"); an organisation keeps its name and credit code (public registration
data). Redaction replaces text in the data the PDF is rendered from: the published PDF is a new
rendering of redacted data, never black boxes drawn over the original text.
"""
import copy
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

MASK = "*"
#: the placeholder for what is hidden whole (a manual mask, a reporter's contact)
HIDDEN = "＊＊＊"


def _keep_ends(text: str, head: int = 4, tail: int = 4) -> str:
    raw = re.sub(r"[\s-]", "", text)
    if len(raw) <= head + tail:
        return MASK * len(raw)
    return raw[:head] + MASK * (len(raw) - head - tail) + (raw[-tail:] if tail else "")


def _phone(text: str) -> str:
    raw = re.sub(r"[\s-]", "", text)
    raw = re.sub(r"^\+?86", "", raw)
    return raw[:3] + MASK * 4 + raw[-4:]


@dataclass(frozen=True)
class PatternRule:
    """A pattern masked wherever it appears in published text."""

    code: str
    label: str
    pattern: re.Pattern
    #: the replacement of one match (given the match: a rule may keep a leading keyword)
    mask: Callable[[re.Match], str]
    source: str


_DIGIT_EDGE_L, _DIGIT_EDGE_R = r"(?<![0-9A-Za-z])", r"(?![0-9A-Za-z])"
_DATE8 = r"(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_DATE6 = r"\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"

#: the pattern rules, in the order they apply (ID numbers before bank accounts: an 18-digit ID
#: number is also a run of digits)
PATTERN_RULES: tuple[PatternRule, ...] = (
    PatternRule("id_number", "居民身份证号码（18位，含X校验码）",
                re.compile(_DIGIT_EDGE_L + r"[1-9]\d{5}" + _DATE8 + r"\d{3}[0-9Xx]"
                           + _DIGIT_EDGE_R),
                lambda m: _keep_ends(m.group(0)),
                "GB 11643-1999；总局令第45号（隐去自然人身份证号码）"),
    PatternRule("id_number_15", "居民身份证号码（15位旧号）",
                re.compile(_DIGIT_EDGE_L + r"[1-9]\d{5}" + _DATE6 + r"\d{3}" + _DIGIT_EDGE_R),
                lambda m: _keep_ends(m.group(0)), "总局令第45号（隐去自然人身份证号码）"),
    PatternRule("mobile", "手机号码",
                re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)"),
                lambda m: _phone(m.group(0)), "总局令第45号（隐去自然人通信方式）"),
    PatternRule("landline", "固定电话号码",
                re.compile(r"(?<![\d-])0\d{2,3}-?\d{7,8}(?![\d-])"),
                lambda m: _keep_ends(m.group(0), 4, 0), "总局令第45号（隐去自然人通信方式）"),
    PatternRule("bank_account", "银行账号",
                re.compile(r"(?<!\d)(?:\d{4}[\s-]?){3,4}\d{1,4}(?!\d)"),
                lambda m: _keep_ends(m.group(0)), "总局令第45号（隐去银行账号）"),
    # a home address in running text, after the words that introduce one: the county-level
    # place stays (住临河区新华街88号 → 住临河区＊＊＊)
    PatternRule("home_address", "文中的家庭住址",
                re.compile(r"(住址[:：]?|家庭住址[:：]?|家住|住在|居住[在于]?|(?<=[，,（(；;])住)"
                           r"([^，。；;,）)\s]{4,60})"),
                lambda m: m.group(1) + locality(m.group(2)), "总局令第45号（隐去自然人家庭住址）"),
)


@dataclass(frozen=True)
class FieldRule:
    """A field of a natural-person party: what the published decision shows of it."""

    field: str
    label: str
    #: "mask" keeps the ends (ID numbers), "locality" keeps the county-level place only,
    #: "drop" removes the line
    how: str
    source: str


#: the party's own fields, for a natural person (organisations keep theirs: they are public
#: registration data)
PERSON_FIELD_RULES: tuple[FieldRule, ...] = (
    FieldRule("id_number", "身份证件号码", "mask", "总局令第45号"),
    FieldRule("address", "住址", "locality", "总局令第45号（隐去自然人家庭住址）"),
    FieldRule("phone", "联系电话", "drop", "总局令第45号（隐去自然人通信方式）"),
)

#: fields of the case block that never reach the public
CASE_FIELDS_DROPPED = ("reporter_name", "reporter_contact")

_LOCALITY = re.compile(r"^.{0,12}?(?:区|县|旗)")


def locality(address: str | None) -> str | None:
    """The county-level place of an address, the rest hidden: 临河区胜利路3号 → 临河区＊＊＊."""
    if not address:
        return address
    match = _LOCALITY.match(address)
    return (match.group(0) if match else "") + HIDDEN


def other_person_name(name: str) -> str:
    """A natural person other than the party: the surname and 某 (张三 → 张某)."""
    name = name.strip()
    return name[:1] + "某" if name else name


@dataclass
class Redaction:
    """What to hide in one decision: values known from the case file, and the head's masks."""

    #: original value -> what replaces it, longest first when applied
    literals: dict[str, str]
    #: values never to be touched by the patterns (organisations' credit codes)
    keep: frozenset[str]
    counts: Counter

    def text(self, value: str) -> str:
        for original in sorted(self.literals, key=len, reverse=True):
            if original and original in value:
                self.counts["literal"] += value.count(original)
                value = value.replace(original, self.literals[original])
        protected: dict[str, str] = {}
        for i, kept in enumerate(sorted(self.keep, key=len, reverse=True)):
            if kept and kept in value:
                token = f"\x00{i}\x00"
                protected[token] = kept
                value = value.replace(kept, token)
        for rule in PATTERN_RULES:
            value, n = rule.pattern.subn(rule.mask, value)
            self.counts[rule.code] += n
        for token, kept in protected.items():
            value = value.replace(token, kept)
        return value

    def walk(self, node):
        if isinstance(node, str):
            return self.text(node)
        if isinstance(node, list):
            return [self.walk(v) for v in node]
        if isinstance(node, dict):
            return {k: self.walk(v) for k, v in node.items()}
        return node


def _person_literals(party: dict) -> dict[str, str]:
    found = {}
    if party.get("id_number"):
        found[party["id_number"]] = _keep_ends(party["id_number"])
    if party.get("address"):
        found[party["address"]] = locality(party["address"])
    if party.get("phone"):
        found[party["phone"]] = HIDDEN
    return found


def plan(data: dict, *, other_people=(), extra_masks=()) -> Redaction:
    """What to hide in a decision's data: the parties' personal values, the reporter, other
    people's names, the head's masks."""
    literals: dict[str, str] = {}
    keep = set()
    for party in data.get("parties") or []:
        if party.get("is_person"):
            literals.update(_person_literals(party))
        elif party.get("credit_code"):
            keep.add(party["credit_code"])
    case = data.get("case") or {}
    for key in CASE_FIELDS_DROPPED:
        if case.get(key):
            literals[case[key]] = HIDDEN
    party_names = {p.get("name") for p in data.get("parties") or []}
    for person in other_people:
        if person and person not in party_names and len(person) >= 2:
            literals[person] = other_person_name(person)
    for mask in extra_masks:
        mask = mask.strip()
        if len(mask) >= 2:
            literals[mask] = HIDDEN
    return Redaction(literals=literals, keep=frozenset(keep), counts=Counter())


def _redact_party(party: dict, redaction: Redaction) -> dict:
    if not party.get("is_person"):
        return redaction.walk(party)
    out = dict(party)
    for rule in PERSON_FIELD_RULES:
        value = out.get(rule.field)
        if not value:
            continue
        redaction.counts[f"field:{rule.field}"] += 1
        if rule.how == "mask":
            out[rule.field] = _keep_ends(value)
        elif rule.how == "locality":
            out[rule.field] = locality(value)
        else:
            out[rule.field] = None
    for key in ("shop_url", "seller_account"):
        out[key] = None
    return redaction.walk(out)


def redact(data: dict, redaction: Redaction) -> dict:
    """The decision's data as published: parties by field rules, everything by the literal and
    pattern rules, the reporter gone. The input is not changed."""
    data = copy.deepcopy(data)
    case = data.get("case") or {}
    for key in CASE_FIELDS_DROPPED:
        if key in case:
            case[key] = None
    doc = data.pop("doc", None)
    parties = [_redact_party(p, redaction) for p in data.get("parties") or []]
    party = data.pop("party", None)
    data.pop("parties", None)
    out = redaction.walk(data)
    out["parties"] = parties
    out["party"] = parties[0] if party is not None and parties else None
    if doc is not None:
        out["doc"] = doc  # number, date and verification code of the decision: public
    return out


def masked_id(id_number: str | None) -> str | None:
    return _keep_ends(id_number) if id_number else None


def leaks(text: str, originals) -> list[str]:
    """The original values still present in a published text (a check before publishing)."""
    return [value for value in originals if value and value in text]


def rules_table() -> list[dict]:
    """The rules as the redaction preview lists them."""
    rows = [{"code": r.code, "label": r.label, "source": r.source, "scope": "text"}
            for r in PATTERN_RULES]
    rows += [{"code": f"field:{r.field}", "label": r.label, "source": r.source,
              "scope": "person"} for r in PERSON_FIELD_RULES]
    rows.append({"code": "reporter", "label": "举报人姓名及联系方式",
                 "source": "《市场监督管理投诉举报处理暂行办法》第三十三条", "scope": "always"})
    rows.append({"code": "other_people", "label": "当事人以外的自然人姓名（保留姓氏）",
                 "source": "本系统规则（R）", "scope": "text"})
    return rows
