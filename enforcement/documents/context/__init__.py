"""The data each document type is rendered from: one builder per type, on a common base.

``build`` reads the case file (ORM) and returns plain data; templates never see ORM objects.
The data is stored with the document, so the document can be explained, and re-rendered with
the same template version, long after the case has moved on.
"""
from flask_babel import force_locale

from enforcement.documents.context import common, filing, investigation, penalty, referral
from enforcement.documents.context.common import Source

BUILDERS = {**filing.BUILDERS, **investigation.BUILDERS, **penalty.BUILDERS,
            **referral.BUILDERS}

__all__ = ["BUILDERS", "Source", "build"]


def build(code: str, source: Source) -> dict:
    """The plain data of one document (without its number and verification code)."""
    case = source.case
    # an official document is in Chinese whatever the issuing user's interface language
    with force_locale("zh"):
        parties = [common.party(cp.party) for cp in case.parties]
        data = {
            "issuer": common.issuer(case.unit),
            "case": common.case_block(case),
            "parties": parties,
            "party": parties[0] if parties else None,
            "marks": common.marks(case),
            "goods": common.goods(case),
            "inspectors": common.people(case.inspectors),
            "prepared_by": source.actor.full_name,
        }
        data.update(BUILDERS[code](source))
    return data
