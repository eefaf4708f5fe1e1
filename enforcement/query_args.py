"""Numbers from the query string (ids, page numbers): plain digits within the database's range."""

#: PostgreSQL INTEGER's largest value. No id or page number goes beyond it, and a larger
#: number would overflow the database driver (SQLite stops at 64 bits) and turn a mistyped or
#: hostile link into a server error.
MAX_INT = 2**31 - 1


def bounded_int(raw) -> int:
    """The integer ``raw`` spells in ASCII digits (an optional leading minus), held within
    ±MAX_INT; ValueError otherwise. ``int()`` alone also takes '١٢', ' 12 ' and '1_000', and
    numbers of any size. Usable as ``request.args.get(name, type=bounded_int)``."""
    text = str(raw)
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"not an integer: {text[:40]!r}")
    return max(-MAX_INT, min(MAX_INT, int(text)))
