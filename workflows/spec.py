"""The vocabulary of the workflow definition: actions, actors, fields, guards, clock effects."""
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from workflows.states import CaseState


def N_(message: str) -> str:
    """Mark a message for translation; the app translates it when it is shown."""
    return message


class Side(Enum):
    """On whose behalf an actor acts on a case, which decides the jurisdiction check."""

    bureau = "bureau"  # the handling unit's own staff
    police = "police"  # the police unit the case was transferred to
    procuratorate = "procuratorate"  # the procuratorate the transfer was copied to
    court = "court"  # the court asked for compulsory enforcement
    holder = "holder"  # the rights holder who reported, or whose mark is infringed


@dataclass(frozen=True)
class Actor:
    """Who may take an action: a permission, acting from a side, optionally only in some states."""

    permission: str
    side: Side = Side.bureau
    states: frozenset[CaseState] | None = None


@dataclass(frozen=True)
class Field:
    """One form field of an action, rendered as an HTML form field and as JSON schema."""

    name: str
    #: text | textarea | date | money | integer | choice | users | unit | document | bool | files
    #: | decimal (a quantity) | rows (a table of records, each made of ``columns`` sub-fields)
    kind: str
    label: str
    required: bool = True
    #: static choices, (value, label) pairs
    choices: tuple[tuple[str, str], ...] = ()
    #: for ``unit``: the kind of unit to choose from; for ``users``: the minimum to pick
    option: str | int | None = None
    max_length: int = 2000
    help: str = ""
    #: for ``rows``: the sub-fields of one row. A browser posts ``<name>-<i>-<column>``
    #: (WTForms FieldList of FormField); the API sends a JSON list of objects by column name
    columns: tuple["Field", ...] = ()
    #: for ``rows``: at least this many rows, and at most ``max_rows``
    min_rows: int = 1
    max_rows: int = 50


FIELD_KINDS = frozenset(
    {"text", "textarea", "date", "money", "integer", "choice", "users", "unit", "document", "bool",
     "files", "rows", "decimal"}
)


@dataclass(frozen=True)
class Guard:
    """A condition an action needs, with the reason given when it does not hold."""

    code: str
    reason: str
    check: Callable[..., bool]


@dataclass(frozen=True)
class Clocks:
    """What an action does to the case's statutory clocks (codes of ``enforcement.clocks``)."""

    start: tuple[str, ...] = ()
    stop: tuple[str, ...] = ()
    pause: tuple[str, ...] = ()
    resume: tuple[str, ...] = ()
    extend: tuple[str, ...] = ()
    #: no longer applies, without having been met (e.g. left to the court)
    cancel: tuple[str, ...] = ()


@dataclass(frozen=True)
class Action:
    """One row of the action table of DESIGN §2."""

    name: str
    label: str
    sources: tuple[CaseState, ...]
    #: None keeps the state (a self-loop that adds a record)
    dest: CaseState | None
    actors: tuple[Actor, ...]
    guards: tuple[Guard, ...] = ()
    fields: tuple[Field, ...] = ()
    #: document type codes the action issues
    documents: tuple[str, ...] = ()
    clocks: Clocks = field(default_factory=Clocks)
    #: legal basis shown next to the action
    basis: str = ""
    #: a decision that ends or turns back the procedure is shown as such
    tone: str = "primary"

    @property
    def is_loop(self) -> bool:
        return self.dest is None

    @property
    def permissions(self) -> frozenset[str]:
        return frozenset(a.permission for a in self.actors)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)
