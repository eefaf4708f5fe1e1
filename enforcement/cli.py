"""Command-line interface: ``flask --app wsgi ...`` (DESIGN §10)."""
import sys

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from enforcement.extensions import db


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(users)
    app.cli.add_command(audit)
    app.cli.add_command(workflow)
    app.cli.add_command(roles)
    app.cli.add_command(clocks)
    from enforcement.bench.data import bench_data

    app.cli.add_command(bench_data)
    app.cli.add_command(outbox)
    app.cli.add_command(stats)
    app.cli.add_command(documents)
    from enforcement.packets.cli import packets

    app.cli.add_command(packets)
    app.cli.add_command(reports)
    from enforcement.backup import backup

    app.cli.add_command(backup)


@click.command("seed-demo")
@click.option("--password", required=True, help="password of the demo users created now")
def seed_demo(password):
    """Create the demo units, marks, users and cases (idempotent)."""
    from enforcement.demo.seed import seed

    result = seed(password)
    click.echo(f"units: {result['units']}, users: {result['users']}, "
               f"cases created: {result['cases_created']}")
    for year in result["calendar_years_entered"]:
        click.echo(f"holiday calendar {year}: not in the calendar package; a labelled demo "
                   "stand-in (New Year's Day only) was entered — replace it at "
                   f"/admin/calendar/{year} with the State Council notice")


roles = AppGroup("roles", help="Permission and role catalogue.")


@roles.command("sync")
def roles_sync():
    """Bring the role and permission tables in line with the code's catalogue."""
    from enforcement.auth.roles import sync_roles

    sync_roles()
    db.session.commit()
    click.echo("roles synchronised")


users = AppGroup("users", help="User accounts.")


@users.command("create")
@click.argument("username")
@click.option("--name", "full_name", required=True)
@click.option("--role", "roles_", multiple=True, required=True)
@click.option("--unit", "unit_code", help="organisation unit code")
@click.option("--credential", help="enforcement credential number")
@click.password_option()
def users_create(username, full_name, roles_, unit_code, credential, password):
    """Create a user."""
    from enforcement.auth.services import WeakPassword, create_user
    from enforcement.orgs.models import OrgUnit

    unit = None
    if unit_code:
        unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code))
        if unit is None:
            raise click.ClickException(f"no unit {unit_code}")
    try:
        user = create_user(username, full_name, password, roles=list(roles_), unit=unit,
                           credential_no=credential)
    except WeakPassword as exc:
        raise click.ClickException(exc.message()) from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"created user {user.username} (id {user.id})")


@users.command("token")
@click.argument("username")
def users_token(username):
    """Print a new API bearer token for a user."""
    from enforcement.auth.models import User
    from enforcement.auth.services import issue_token

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise click.ClickException(f"no active user {username}")
    raw, token = issue_token(user)
    click.echo(raw)
    click.echo(f"expires {token.expires_at.isoformat()}", err=True)


@users.command("totp-reset")
@click.argument("username")
def users_totp_reset(username):
    """Reset a user's second factor (lost phone): the next login enrols anew; every session
    and token of the user is revoked."""
    from enforcement.auth import totp
    from enforcement.auth.models import User

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username}")
    totp.reset(user, actor=None)
    click.echo(f"two-step verification of {username} reset; sessions revoked")


@users.command("data-key")
def users_data_key():
    """Print a new random DATA_ENCRYPTION_KEY (the key TOTP seeds are sealed under)."""
    from enforcement.auth import sealing

    click.echo(sealing.new_key())


@users.command("totp-reseal")
@click.option("--old-key", help="the previous DATA_ENCRYPTION_KEY")
@click.option("--old-secret-key", help="the previous SECRET_KEY, when no DATA_ENCRYPTION_KEY "
              "was set (the seeds were sealed under a key derived from it)")
def users_totp_reseal(old_key, old_secret_key):
    """Seal every TOTP seed again under the current key, after a change of key."""
    from enforcement.auth import sealing, totp

    if bool(old_key) == bool(old_secret_key):
        raise click.UsageError("give exactly one of --old-key and --old-secret-key")
    try:
        key = sealing.key_of({"DATA_ENCRYPTION_KEY": old_key} if old_key
                             else {"SECRET_KEY": old_secret_key})
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    resealed, unreadable = totp.reseal_all(key)
    click.echo(f"resealed {resealed}; unreadable {unreadable}")
    if unreadable:
        raise SystemExit(1)


audit = AppGroup("audit", help="The audit log.")


@audit.command("verify")
def audit_verify():
    """Verify the hash chain; name the first broken row."""
    from enforcement.audit.services import verify_chain

    report = verify_chain()
    if report.ok:
        click.echo(f"audit chain OK: {report.checked} rows verified")
        return
    click.echo(f"audit chain BROKEN at row {report.first_broken_seq}: {report.problem} "
               f"({report.checked} rows verified before it)", err=True)
    sys.exit(1)


workflow = AppGroup("workflow", help="The case workflow.")


@workflow.command("diagram")
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid")
@click.option("--no-loops", is_flag=True, help="leave out self-loop actions")
def workflow_diagram(fmt, no_loops):
    """Print the workflow diagram source (Mermaid or Graphviz)."""
    from flask_babel import gettext

    from workflows.diagram import graphviz, mermaid

    if fmt == "dot":
        click.echo(graphviz(translate=gettext), nl=False)
    else:
        click.echo(mermaid(translate=gettext, include_loops=not no_loops), nl=False)


clocks = AppGroup("clocks", help="Statutory clocks: the deadline calculator and the sweep.")


@clocks.command("due")
@click.option("--start", "start", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="the day the period starts from (not counted)")
@click.option("--length", required=True, type=click.IntRange(min=0))
@click.option("--unit", required=True,
              type=click.Choice(["working_days", "days", "months"]))
def clocks_due(start, length, unit):
    """Print the last day of a period (ISO date) and the rules applied: the clocks' own code."""
    from flask_babel import gettext

    from enforcement.clocks import holidays
    from enforcement.clocks.calendar import RULES, CalendarUnknown, explain

    try:
        due = explain(start.date(), length, unit, holidays.current())
    except CalendarUnknown as exc:
        raise click.ClickException(
            f"no holiday data for {exc.year}: enter that year's State Council notice "
            f"(/admin/calendar/{exc.year}) before counting into it") from None
    except OverflowError:
        raise click.ClickException("the period runs past 9999-12-31, the last date there "
                                   "is") from None
    click.echo(due.day.isoformat())
    for code in due.rules:
        click.echo(f"rule: {code} — {gettext(RULES[code])}")
    if due.nominal != due.day:
        click.echo(f"moved from {due.nominal.isoformat()} (a rest day) to the next working day")


@clocks.command("sweep")
def clocks_sweep():
    """Mark overdue clocks, let windows lapse, queue reminders (idempotent; run from cron)."""
    from enforcement.clocks.sweep import sweep

    report = sweep()
    click.echo(f"overdue marked: {report.overdue}, lapsed: {report.lapsed}, "
               f"reminders queued: {report.reminders} ({report.messages} messages)")
    for error in report.errors:
        click.echo(error, err=True)
    # the audit chain is verified on every sweep; a break is alerted and fails the run
    from enforcement.audit.alerts import check_chain

    chain = check_chain()
    if chain.ok:
        click.echo(f"audit chain: {chain.checked} entries verified")
    else:
        click.echo(f"AUDIT CHAIN BROKEN at entry {chain.first_broken_seq}: {chain.problem}",
                   err=True)
    # the cron job that sweeps also registers the reports and makes the PDFs that a worker
    # has not handled yet
    from enforcement.documents.services import render_pending
    from enforcement.reports.services import register_pending

    try:
        registered, failed = register_pending(limit=500)
        click.echo(f"reports registered: {registered}, failed: {failed}")
    except Exception as exc:  # noqa: BLE001 — the clocks were swept; reports wait for the next run
        db.session.rollback()
        click.echo(f"reports: {exc}", err=True)

    try:
        click.echo(f"documents rendered: {render_pending(limit=200)}")
    except Exception as exc:  # noqa: BLE001 — the clocks were swept; the PDFs wait for the next run
        db.session.rollback()
        click.echo(f"documents: {exc}", err=True)

    from enforcement.campaigns.facts import refresh_pending

    try:
        click.echo(f"statistics: {refresh_pending()} cases recomputed")
    except Exception as exc:  # noqa: BLE001 — the statistics refresh themselves when read
        db.session.rollback()
        click.echo(f"statistics: {exc}", err=True)
    if report.errors or not chain.ok:
        sys.exit(1)


stats = AppGroup("stats", help="The quarterly statistics' stored facts.")


@stats.command("refresh")
@click.option("--loop", is_flag=True, help="keep refreshing until stopped")
@click.option("--interval", default=5.0, show_default=True,
              help="seconds between rounds when nothing was marked")
@click.option("--limit", default=500, show_default=True, help="marks per round at most")
def stats_refresh(loop, interval, limit):
    """Recompute the statistics facts of the cases that actions changed (the worker that
    keeps the statistics pages from doing it; safe in several processes at once)."""
    from enforcement.campaigns.facts import refresh_pending

    def one_round() -> int:
        done = refresh_pending(limit=limit)
        if done or not loop:
            click.echo(f"statistics: {done} cases recomputed")
        return done

    _work_queue(one_round, loop=loop, interval=interval, limit=limit)


@stats.command("rebuild")
def stats_rebuild():
    """Compute every case's statistics facts afresh (after a bulk import, or to check)."""
    import time

    from enforcement.campaigns.facts import rebuild

    started = time.perf_counter()
    rows = rebuild()
    click.echo(f"statistics facts: {rows} rows in {time.perf_counter() - started:.1f} s")


outbox = AppGroup("outbox", help="Messages to reporters, rights holders and staff.")


@outbox.command("deliver")
@click.option("--loop", is_flag=True, help="keep delivering until stopped")
@click.option("--interval", default=15, show_default=True, help="seconds between rounds")
@click.option("--limit", default=500, show_default=True, help="messages per round at most")
def outbox_deliver(loop, interval, limit):
    """Send the messages that are due (safe in several processes at once; run from cron)."""
    import time

    from enforcement.outbox.delivery import deliver_pending

    from enforcement.outbox.delivery import uncertain_messages

    while True:
        report = deliver_pending(limit=limit)
        click.echo(f"sent: {report.sent}, to retry: {report.retried}, failed: {report.failed}")
        for message in uncertain_messages():
            # perhaps delivered before a crash: a person checks (flask outbox settle)
            click.echo(f"uncertain: {message.id} {message.channel} {message.recipient} "
                       f"{message.subject!r}", err=True)
        if not loop:
            break
        time.sleep(interval)


@outbox.command("settle")
@click.argument("message_id", type=int)
@click.option("--delivered/--resend", required=True,
              help="it arrived (record it as sent), or send it again (same Message-ID)")
def outbox_settle(message_id, delivered):
    """Settle an uncertain message: one whose hand-over a crash interrupted."""
    from enforcement.outbox.delivery import NotUncertain, settle

    try:
        message = settle(message_id, delivered=delivered)
    except NotUncertain:
        raise click.ClickException(f"message {message_id} is not uncertain") from None
    click.echo(f"message {message.id}: {message.status.value}")


reports = AppGroup("reports", help="Reports received through the portal and the API.")


@reports.command("register-pending")
@click.option("--loop", is_flag=True, help="keep registering until stopped")
@click.option("--interval", default=1.0, show_default=True,
              help="seconds between rounds when nothing was waiting")
@click.option("--limit", default=200, show_default=True, help="reports per round at most")
def reports_register_pending(loop, interval, limit):
    """Register received reports: route each, open or join its case, issue its documents
    (safe in several processes at once: each report is registered once)."""
    from enforcement.reports.services import register_pending

    def one_round() -> int:
        registered, failed = register_pending(limit=limit)
        if registered or failed or not loop:
            click.echo(f"reports registered: {registered}, failed: {failed}")
        return registered + failed

    _work_queue(one_round, loop=loop, interval=interval, limit=limit)


def _work_queue(one_round, *, loop: bool, interval: float, limit: int) -> None:
    """Run ``one_round`` (which handles up to ``limit`` rows and says how many it took) once,
    or with ``loop`` until stopped, pausing ``interval`` seconds after a round that did not
    fill its limit (a full round means more is waiting)."""
    import time

    while True:
        handled = one_round()
        if not loop:
            break
        if handled < limit:
            time.sleep(interval)


documents = AppGroup("documents", help="Issued documents.")


@documents.command("render-pending")
@click.option("--loop", is_flag=True, help="keep rendering until stopped")
@click.option("--interval", default=2.0, show_default=True,
              help="seconds between rounds when nothing was pending")
@click.option("--limit", default=100, show_default=True, help="documents per round at most")
def documents_render_pending(loop, interval, limit):
    """Make the PDFs of documents issued with deferred rendering (safe in several processes
    at once: each document is rendered once)."""
    from enforcement.documents.services import render_pending

    def one_round() -> int:
        done = render_pending(limit=limit)
        if done or not loop:
            click.echo(f"documents rendered: {done}")
        return done

    _work_queue(one_round, loop=loop, interval=interval, limit=limit)
