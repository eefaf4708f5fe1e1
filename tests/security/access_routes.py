"""The access matrix's classification of every route, and the requests it sends for them.

Every route of the app is public, open to any signed-in user, gated by a permission alone, an
object route or a list route (DESIGN §1). For one side's objects (a :class:`Target`),
:func:`object_calls` builds the request of every object route and :func:`list_calls` those of
the lists, searches, inboxes, drill-downs and exports (``test_access_matrix.py`` sends them).
"""
from dataclasses import dataclass, field
from urllib.parse import quote

from enforcement.campaigns.stats import FIGURES
from enforcement.db import local_today
from enforcement.main.queues import QUEUES
from enforcement.rules.catalogue import RULE_KINDS

# -- the classification of every route ------------------------------------------------------

#: no login: the public portal, published penalties, document and packet verification
PUBLIC = {
    "auth.login", "accounts.register", "reports.home", "reports.new_report",
    "reports.submit_report", "reports.receipt", "reports.receipt_pdf", "reports.status",
    "reports.search_marks", "publicity.index", "publicity.entry", "publicity.pdf",
    "publicity.exposure", "publicity.feed", "packets.public_key", "packets.verify",
    "verify.start", "verify.show", "bootstrap.static",
    # the login's second step and forced enrolment: a login in progress, no session yet
    "auth.totp_login", "auth.totp_setup",
    # the API's open doors: a token for a password, the document, public penalties, and a
    # report's status for its tracking number and access code
    "api.token", "api.openapi", "api.public_penalties", "api.file_report",
    "api.report_status_api",
}
#: any signed-in user; nothing of a case or of a unit's work
SIGNED_IN = {
    "auth.logout", "auth.set_language", "main.index", "main.workflow", "main.workflow_svg",
    "clocks.calculator", "clocks.kinds", "clocks.kind", "referrals.inbox",
    # one's own second factor
    "auth.totp_account", "auth.totp_recovery_codes", "auth.totp_disable",
}
#: gated by a permission alone (no jurisdiction): the URL tried and who may open it
PERMISSION_ROUTES = {
    "clocks.calendar_years": ("/admin/calendar", {"admin.rules"}),
    "clocks.calendar_year": (f"/admin/calendar/{local_today().year}", {"admin.rules"}),
    "rules.index": ("/rules/", {"admin.rules", "case.read"}),
    "rules.new": (f"/rules/{next(iter(RULE_KINDS))}/new", {"admin.rules"}),
    "rules.edit": ("/rules/versions/{rule_id}/edit", {"admin.rules"}),
    "audit.index": ("/audit/", {"audit.read"}),
    "audit.export": ("/audit/export.csv", {"audit.read"}),
    "campaigns.field_work": ("/campaigns/field-work", {"fieldwork.record"}),
    "accounts.mandates": ("/portal/mandates", {"report.file"}),
}


@dataclass
class Target:
    """Objects on one side of a jurisdiction line, and the strings that identify them."""

    name: str
    case_id: int | None = None
    evidence_id: int | None = None
    document_id: int | None = None
    referral_id: int | None = None
    publication_id: int | None = None
    campaign_id: int | None = None
    unit_id: int | None = None
    tracking_no: str | None = None
    #: case numbers and party names that must not reach anyone on the other side
    secrets: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Call:
    """One request of the matrix; ``read``: a page or file the own side opens (200)."""

    endpoint: str
    method: str
    path: str
    api: bool = False
    read: bool = False
    data: dict | None = None
    #: a search: the string searched for (the page may echo it; nothing may be found)
    searched: str | None = None


def _if(*values):
    return all(v is not None for v in values)


def object_calls(t: Target) -> list[Call]:
    """Every object route, built for the target's objects (routes it has no object for are
    left out)."""
    calls = []

    def add(ok, endpoint, path, method="GET", **kw):
        if ok:
            calls.append(Call(endpoint, method, path, **kw))

    c, e, d, r = t.case_id, t.evidence_id, t.document_id, t.referral_id
    p, k, u, n = t.publication_id, t.campaign_id, t.unit_id, t.tracking_no
    add(_if(c), "cases.detail", f"/cases/{c}", read=True)
    add(_if(c), "cases.action", f"/cases/{c}/actions/record_inspection")
    add(_if(c), "cases.action", f"/cases/{c}/actions/record_inspection", "POST",
        data={"version": "1", "place": "x", "content": "x"})
    add(_if(c, e), "evidence.download", f"/cases/{c}/evidence/{e}", read=True)
    add(_if(c, e), "evidence.thumbnail", f"/cases/{c}/evidence/{e}/thumbnail", read=True)
    add(_if(d), "documents.download", f"/documents/{d}/pdf", read=True)
    add(_if(d), "documents.correct", f"/documents/{d}/correct", "POST", data={"reason": "x"})
    add(_if(r), "referrals.detail", f"/referrals/{r}", read=True)
    add(_if(r), "referrals.action", f"/referrals/{r}/actions/acknowledge_transfer")
    add(_if(r), "referrals.action", f"/referrals/{r}/actions/acknowledge_transfer", "POST",
        data={"version": "1", "note": "x"})
    add(_if(r), "packets.download", f"/referrals/{r}/packet", read=True)
    add(_if(p), "publicity.staff_entry", f"/penalties/staff/{p}", read=True)
    for action in ("revocation", "withdraw", "repair", "typical"):
        endpoint = {"revocation": "record_revocation", "repair": "remove_early"}.get(action,
                                                                                   action)
        add(_if(p), f"publicity.{endpoint}", f"/penalties/staff/{p}/{action}", "POST",
            data={"reason": "x", "typical": "1"})
    add(_if(c), "publicity.preview", f"/penalties/staff/cases/{c}/preview")
    add(_if(k), "campaigns.detail", f"/campaigns/{k}", read=True)
    add(_if(k), "campaigns.edit", f"/campaigns/{k}/edit")
    add(_if(k), "campaigns.add_case", f"/campaigns/{k}/cases", "POST", data={"number": "x"})
    add(_if(k), "campaigns.remove_case", f"/campaigns/{k}/cases/{c or 0}/remove", "POST",
        data={"reason": "x"})
    add(_if(k), "campaigns.quarterly", f"/stats/?campaign_id={k}")
    add(_if(k), "campaigns.drill", f"/stats/cases?figure=received&campaign_id={k}")
    add(_if(k), "campaigns.export", f"/stats/export.xlsx?campaign_id={k}")
    add(_if(k), "api.quarterly_stats", f"/api/v1/stats/quarterly?campaign_id={k}", api=True)
    add(_if(u), "campaigns.quarterly", f"/stats/?unit_id={u}", read=True)
    add(_if(u), "campaigns.drill", f"/stats/cases?figure=received&unit_id={u}", read=True)
    add(_if(u), "campaigns.export", f"/stats/export.csv?unit_id={u}", read=True)
    add(_if(u), "api.quarterly_stats", f"/api/v1/stats/quarterly?unit_id={u}", api=True,
        read=True)
    add(_if(c), "holder.identification", f"/holder/identification/{c}", read=True)
    add(_if(c, e), "holder.photo", f"/holder/identification/{c}/photos/{e}", read=True)
    add(_if(c), "holder.mediation", f"/holder/cases/{c}/mediation", read=True)
    add(_if(n), "reports.my_report", f"/portal/mine/{n}", read=True)
    add(_if(c), "api.get_case", f"/api/v1/cases/{c}", api=True, read=True)
    add(_if(c), "api.take_action", f"/api/v1/cases/{c}/actions/record_inspection", "POST",
        api=True, data={})
    add(_if(c), "api.upload_evidence", f"/api/v1/cases/{c}/evidence", "POST", api=True,
        data={})
    add(_if(d), "api.get_document", f"/api/v1/documents/{d}", api=True, read=True)
    add(_if(d), "api.get_document", f"/api/v1/documents/{d}?format=pdf", api=True, read=True)
    add(_if(r), "api.get_referral_packet", f"/api/v1/referrals/{r}/packet", api=True,
        read=True)
    return calls


#: object routes: built by :func:`object_calls`
OBJECT_ROUTES = {
    "cases.detail", "cases.action", "evidence.download", "evidence.thumbnail",
    "documents.download", "documents.correct", "referrals.detail", "referrals.action",
    "packets.download", "publicity.staff_entry", "publicity.record_revocation",
    "publicity.withdraw", "publicity.remove_early", "publicity.typical", "publicity.preview",
    "campaigns.detail", "campaigns.add_case", "campaigns.remove_case", "holder.identification",
    "holder.photo", "holder.mediation", "reports.my_report", "api.get_case",
    "api.take_action", "api.upload_evidence", "api.get_document", "api.get_referral_packet",
}


def list_calls(foreign: list[Target], campaign_id: int, stats: bool = True) -> list[Call]:
    """Lists, searches (by each foreign case number and party name), inboxes, drill-downs and
    exports; ``stats``: drill into every figure (else one try, refused)."""
    calls = [Call("main.dashboard", "GET", "/dashboard"),
             Call("cases.index", "GET", "/cases/"),
             Call("api.list_cases", "GET", "/api/v1/cases", api=True),
             Call("api.list_referrals", "GET", "/api/v1/referrals", api=True),
             Call("referrals.police_inbox", "GET", "/inbox/police?filter=all"),
             Call("referrals.procuratorate_inbox", "GET", "/inbox/procuratorate?filter=all"),
             Call("referrals.court_inbox", "GET", "/inbox/court?filter=all"),
             Call("campaigns.index", "GET", "/campaigns/"),
             Call("campaigns.detail", "GET", f"/campaigns/{campaign_id}"),
             Call("campaigns.edit", "GET", "/campaigns/new"),
             Call("campaigns.quarterly", "GET", "/stats/"),
             Call("campaigns.brand_dashboard", "GET", "/stats/brand"),
             Call("campaigns.export", "GET", "/stats/export.csv"),
             Call("campaigns.export", "GET", "/stats/export.xlsx"),
             Call("api.quarterly_stats", "GET", "/api/v1/stats/quarterly", api=True),
             Call("api.quarterly_stats", "GET", "/api/v1/stats/quarterly?format=xlsx",
                  api=True),
             Call("publicity.staff_index", "GET", "/penalties/staff"),
             Call("holder.tasks", "GET", "/holder/"),
             Call("holder.messages", "GET", "/holder/messages"),
             Call("holder.mark_read", "POST", "/holder/messages/read", data={}),
             Call("reports.mine", "GET", "/portal/mine")]
    calls += [Call("main.queue", "GET", f"/queues/{q.code}") for q in QUEUES]
    calls += [Call("campaigns.drill", "GET", f"/stats/cases?figure={f.code}")
              for f in (FIGURES if stats else FIGURES[:1])]
    # a drill-down narrowed to a foreign unit's row finds none of its cases
    calls += [Call("campaigns.drill", "GET",
                   f"/stats/cases?figure={code}&dim=unit&key={t.unit_id}")
              for t in foreign if t.unit_id for code in ("received", "filed")]
    for secret in sorted({s for t in foreign for s in t.secrets}):
        field_name = "number" if secret.isascii() else "party"
        for key in ("q", field_name):
            query = f"{key}={quote(secret)}"
            calls.append(Call("cases.index", "GET", f"/cases/?{query}", searched=secret))
        calls.append(Call("api.list_cases", "GET", f"/api/v1/cases?q={quote(secret)}",
                          api=True, searched=secret))
    return calls


#: list routes: built by :func:`list_calls`
LIST_ROUTES = {
    "main.dashboard", "main.queue", "cases.index", "api.list_cases", "api.list_referrals",
    "referrals.police_inbox", "referrals.procuratorate_inbox", "referrals.court_inbox",
    "campaigns.index", "campaigns.edit", "campaigns.quarterly", "campaigns.brand_dashboard",
    "campaigns.drill", "campaigns.export", "api.quarterly_stats", "publicity.staff_index",
    "holder.tasks", "holder.messages", "holder.mark_read", "reports.mine",
}
