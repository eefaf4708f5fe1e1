"""Bidirectional isolation of user text in notices (UAX #9): a control typed in one value
cannot reorder the text around it.

A right-to-left override or an embedding left open in one field (a place, a name) would
otherwise run on over the rest of its paragraph, the other fields and the notice's own words
included, and an official document would read in an order nobody wrote. A value holding a
bidi control or right-to-left letters is written between FSI and PDI, which end every
embedding and override opened inside; ordinary text is written as it is.
"""
import re

FSI, PDI = "\u2068", "\u2069"
#: LRI, RLI, FSI: each is closed by a PDI
ISOLATE_INITIATORS = frozenset("\u2066\u2067\u2068")
#: embeddings, overrides, isolates, marks, and letters of right-to-left scripts (Hebrew,
#: Arabic, Syriac, Thaana, N'Ko, …), which move digits and punctuation next to them
NEEDS_ISOLATION = re.compile(
    "[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc"
    "\U00010800-\U00010fff\U0001e800-\U0001efff]")


def isolate(value) -> str:
    """The value (as text) as a bidi isolate if it needs one, else unchanged. For a user
    value run into other text by code; templates isolate what they write (:func:`finalize`).

    A PDI of the value that closes nothing would close the isolate around it, so it is left
    out (it is invisible and has no other effect); an isolate the value opens and does not
    close is closed before the outer PDI, which would otherwise close that one instead.
    """
    value = str(value)
    if not NEEDS_ISOLATION.search(value):
        return value
    depth, kept = 0, []
    for char in value:
        if char in ISOLATE_INITIATORS:
            depth += 1
        elif char == PDI:
            if not depth:
                continue
            depth -= 1
        kept.append(char)
    return FSI + "".join(kept) + PDI * depth + PDI


def finalize(value):
    """Jinja ``finalize``: isolates each plain string an expression writes; markup (a macro's
    output, already made of isolated values) is left alone."""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return isolate(value)
    return value
