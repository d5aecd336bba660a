"""Command-line commands: ``flask --app survey_app instruments|users ...``.

A command is a request handler of its own: operations flush, the command commits."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from .auth import totp
from .auth.operations import (
    AccountError,
    create_user,
    normalise_email,
    set_password,
    user_count,
)
from .config import current_settings
from .disclosure.release import ReleaseRefused
from .downloads.export_workbook import build_export
from .export.filters import ExportFilters
from .export.formats import FORMATS
from .export.sheet_names import ABOUT
from .export.workbook import Export, progress_total, record_export, with_progress
from .extensions import db
from .instruments import model
from .instruments.diff import diff as diff_versions
from .instruments.exchange import FORMATS as INSTRUMENT_FORMATS
from .instruments.exchange import import_instrument
from .instruments.interchange import ImportRefused
from .instruments.loader import InstrumentError, load_all
from .instruments.publish import sync_instruments, sync_study, version_table
from .models import InstrumentVersion, Role, User, record_audit
from .report.cases.figures import pooled_titles
from .report.publication import check_filters
from .services import cases as case_ops
from .services import links as link_ops
from .services import participants as participant_ops
from .services import responses as response_ops
from .study import current_study, load_study, study_file


def _fail(lines: list[str]) -> NoReturn:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(1)


instruments = AppGroup("instruments", help="Check, publish, list and compare instrument versions.")


@instruments.command("check")
def instruments_check() -> None:
    """Validate every instrument file without touching the database."""
    try:
        definitions = load_all()
        load_study(study_file())
    except InstrumentError as exc:
        _fail(exc.problems)
    for d in definitions:
        click.echo(f"ok  {d['key']} v{d['version']}")


@instruments.command("sync")
def instruments_sync() -> None:
    """Publish the study's sites and waves and each instrument file's (key, version)."""
    try:
        study = load_study(study_file())
        sync_study(db.session, study)
        results = sync_instruments(db.session, study=study)
    except InstrumentError as exc:
        db.session.rollback()
        _fail(exc.problems)
    db.session.commit()
    for r in results:
        click.echo(f"{r.status:<10} {r.key} v{r.version} {r.content_hash[:12]}")


@instruments.command("list")
def instruments_list() -> None:
    """Key, version, hash prefix, item count and response count of each published version (a
    case form's: its sent forms)."""
    click.echo(f"{'key':<16} {'version':>7}  {'hash':<12} {'items':>5} {'responses':>9}")
    for version, responses in version_table(db.session):
        items = len(model.from_version(version).variables)
        click.echo(
            f"{version.key:<16} {version.version:>7}  {version.content_hash[:12]:<12} "
            f"{items:>5} {responses:>9}"
        )


@instruments.command("speak")
@click.argument("key", required=False)
def instruments_speak(key: str | None) -> None:
    """Make the read-aloud audio of every published version (or of KEY's) now, instead of on
    first request (survey_app/speech); files already made are kept."""
    from .speech import clips  # noqa: PLC0415 - loads eSpeak NG only when asked

    for version, _responses in version_table(db.session):
        if key is None or version.key == key:
            made = clips.make_all(version.content_hash, model.from_version(version))
            click.echo(f"{version.key} {version.version}: {len(made)} clips")


@instruments.command("diff")
@click.argument("key")
@click.argument("old", type=int)
@click.argument("new", type=int)
def instruments_diff(key: str, old: int, new: int) -> None:
    """Variables added, removed, reworded, with other answers, moved, or with other skip
    logic between two versions."""
    found = {
        v.version: v
        for v in db.session.scalars(
            select(InstrumentVersion).where(
                InstrumentVersion.key == key, InstrumentVersion.version.in_([old, new])
            )
        )
    }
    missing = [str(v) for v in (old, new) if v not in found]
    if missing:
        _fail([f"{key}: no published version {', '.join(missing)}"])
    result = diff_versions(model.from_version(found[old]), model.from_version(found[new]))
    click.echo(f"{key} v{old} -> v{new}")
    for line in result.lines():
        click.echo(f"  {line}")


@instruments.command("export")
@click.argument("key")
@click.argument("version", type=int)
@click.option("--format", "fmt", type=click.Choice(sorted(INSTRUMENT_FORMATS)), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def instruments_export(key: str, version: int, fmt: str, out: Path) -> None:
    """Write a published version as an XLSForm (.xlsx) or a REDCap data dictionary (.csv)."""
    found = db.session.scalar(
        select(InstrumentVersion).where(
            InstrumentVersion.key == key, InstrumentVersion.version == version
        )
    )
    if found is None:
        _fail([f"{key}: no published version {version} (see `instruments list`)"])
    try:
        out.write_bytes(INSTRUMENT_FORMATS[fmt].write(found.definition))
    except OSError as exc:
        _fail([f"{out}: cannot write: {exc.strerror}"])
    click.echo(f"wrote {out} ({key} v{version}, {fmt})")


@instruments.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--key", required=True, help="The new instrument's key, e.g. mothers_t3.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the instrument file (default: <key>.yaml here; never overwritten).",
)
@click.option("--audience", help="Who answers it, when the file does not say.")
@click.option("--wave", "waves", multiple=True, help="A wave that asks it (repeatable).")
@click.option("--version", "version", type=int, help="Default: one after the newest bundled.")
@click.option("--form", help="The REDCap form to import, when the dictionary holds several.")
def instruments_import(
    file: Path,
    key: str,
    out: Path | None,
    audience: str | None,
    waves: tuple[str, ...],
    version: int | None,
    form: str | None,
) -> None:
    """Read an XLSForm or a REDCap data dictionary and write a new instrument file for review.
    Nothing is published: move the file into survey_app/instruments/files, then run sync."""
    target = out or Path(f"{key}.yaml")
    try:
        definition = import_instrument(
            file, key, target, audience=audience, waves=waves, version=version, form=form
        )
    except ImportRefused as exc:
        _fail(exc.problems)
    items = sum(1 for s in definition["sections"] for i in s["items"] if "variable" in i)
    click.echo(
        f"wrote {target}: {key} v{definition['version']}, {len(definition['sections'])} pages, "
        f"{items} questions. Review it, move it to survey_app/instruments/files and run "
        "`instruments sync` to publish it."
    )


users = AppGroup("users", help="Manage research team accounts.")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option(
    "--site",
    "site_codes",
    multiple=True,
    help="A site whose cases a caseworker sees, or whose laptops a fieldworker goes on "
    "(repeatable; caseworkers need one at least).",
)
def users_create(email: str, role: str, site_codes: tuple[str, ...]) -> None:
    """Create an account; the password is prompted for (or read from standard input)."""
    if role == Role.CASEWORKER and not site_codes:
        _fail(["A caseworker needs at least one --site (e.g. --site send)."])
    if role not in case_ops.SITE_ROLES and site_codes:
        _fail(["--site is for caseworker and fieldworker accounts only."])
    try:
        sites = [participant_ops.site_by_code(db.session, code) for code in site_codes]
    except participant_ops.UnknownSite as exc:
        _fail([str(exc)])
    password = _read_password()
    try:
        user = create_user(db.session, email, password, role)
        if sites:
            case_ops.grant_sites(db.session, user, sites)
    except AccountError as exc:
        db.session.rollback()
        _fail([str(exc)])
    db.session.commit()
    granted = f"; sites: {', '.join(s.code for s in sites)}" if sites else ""
    click.echo(f"created {user.email} ({user.role}{granted})")


@users.command("set-password")
@click.argument("email")
def users_set_password(email: str) -> None:
    """Set a new password for a lost one (prompted for, or read from standard input); every
    session of that account ends."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        _fail([f"No user with email {email}."])
    try:
        set_password(db.session, user, _read_password())
    except AccountError as exc:
        db.session.rollback()
        _fail([str(exc)])
    db.session.commit()
    click.echo(f"password set for {user.email}; their sessions are ended")


def _read_password() -> str:
    if sys.stdin.isatty():
        password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password
    return sys.stdin.readline().rstrip("\n")


@users.command("ensure-dev-admin")
def users_ensure_dev_admin() -> None:
    """Development only: when there is no user yet, create an admin and print its login once."""
    if user_count(db.session) > 0:
        click.echo(
            "Accounts exist already: log in with yours "
            "(lost it? flask --app survey_app users set-password EMAIL)."
        )
        return
    password = secrets.token_urlsafe(12)
    create_user(db.session, "admin@example.org", password, Role.ADMIN)
    db.session.commit()
    _framed(
        "Development admin created. This is shown once: note it now.",
        "",
        "  email:    admin@example.org",
        f"  password: {password}",
        "",
        "Lost it? flask --app survey_app users set-password admin@example.org",
    )


def _framed(*lines: str) -> None:
    width = max(len(line) for line in lines) + 4
    click.echo("")
    click.echo("+" + "-" * width + "+")
    for line in lines:
        click.echo(f"|  {line.ljust(width - 4)}  |")
    click.echo("+" + "-" * width + "+")
    click.echo("")


@users.command("reset-totp")
@click.argument("email")
def users_reset_totp(email: str) -> None:
    """Clear a user's two-step login (lost phone): they enrol again at the next login."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        _fail([f"No user with email {email}."])
    totp.reset(db.session, user)
    db.session.commit()
    click.echo(f"two-step login reset for {user.email}; their sessions are ended")


participants = AppGroup("participants", help="Register participants (pseudonymous IDs only).")


@participants.command("create")
@click.option("--site", "site_code", required=True, help="Site code, e.g. send.")
@click.option("--count", type=click.IntRange(1, 500), default=1, show_default=True)
def participants_create(site_code: str, count: int) -> None:
    """Print new participant IDs, one a line, for the paper key."""
    try:
        site = participant_ops.site_by_code(db.session, site_code)
    except participant_ops.UnknownSite as exc:
        _fail([str(exc)])
    made = participant_ops.register(db.session, site, count)
    db.session.commit()
    for participant in made:
        click.echo(participant.pseudonym)


links = AppGroup("links", help="Anonymous links for staff and practitioners.")


@links.command("create")
@click.argument("instrument_key")
@click.option("--site", "site_code", default=None, help="Fix the link to a site.")
@click.option(
    "--closes",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Last day the link takes answers (YYYY-MM-DD).",
)
def links_create(instrument_key: str, site_code: str | None, closes: Any) -> None:
    """Create a link and print its path (/s/<token>)."""
    try:
        site = participant_ops.site_by_code(db.session, site_code) if site_code else None
        link = link_ops.create(db.session, instrument_key, site, closes.date() if closes else None)
    except (participant_ops.UnknownSite, link_ops.LinkError) as exc:
        db.session.rollback()
        _fail([str(exc)])
    db.session.commit()
    click.echo(f"/s/{link.token}")


@click.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(list(FORMATS)), default="xlsx", show_default=True
)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--site", default=None, help="Only this site.")
@click.option("--from", "date_from", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@click.option("--to", "date_to", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@click.option("--version", "versions", multiple=True, help="key:version to include (repeatable).")
@click.option(
    "--publication",
    is_flag=True,
    help="Hide small counts in the Themes, Summary and Report sheets.",
)
@with_appcontext
def export_command(
    fmt: str,
    out_path: str,
    site: str | None,
    date_from: Any,
    date_to: Any,
    versions: tuple[str, ...],
    publication: bool,
) -> None:
    """Export the data (the same files as the research area's Export page)."""
    if site:
        try:
            participant_ops.site_by_code(db.session, site)
        except participant_ops.UnknownSite as exc:
            _fail([str(exc)])
    filters = ExportFilters(
        site=site,
        date_from=date_from.date() if date_from else None,
        date_to=date_to.date() if date_to else None,
        versions=frozenset(versions),
        publication=publication,
        threshold=current_settings().publication_threshold,
    )
    try:
        check_filters(filters, current_study(), pooled_titles())
    except ReleaseRefused as exc:
        _fail([str(exc)])
    built = build_export(db.session, filters, made_by="command line")
    _write_export(built, fmt, out_path)
    record_export(db.session, None, fmt, filters)
    db.session.commit()
    counts = ", ".join(
        f"{s.name}: {s.count}" for s in built.sheets if s.count >= 0 and s.name != ABOUT
    )
    click.echo(f"wrote {out_path} ({counts})")


def _write_export(built: Export, fmt: str, out_path: str) -> None:
    """Write the export in ``fmt``, with a progress bar when someone is watching."""
    with open(out_path, "wb") as out:
        if sys.stderr.isatty():
            # Rows are counted as they stream out; the Codebook and Summary add a little more.
            with click.progressbar(
                length=progress_total(built), label="Exporting", file=sys.stderr
            ) as bar:
                FORMATS[fmt].write(with_progress(built, bar.update), out)
        else:
            FORMATS[fmt].write(built, out)


responses = AppGroup("responses", help="Housekeeping of responses.")


@responses.command("purge-drafts")
@click.option("--days", type=click.IntRange(1, 3650), default=14, show_default=True)
def responses_purge_drafts(days: int) -> None:
    """Delete unfinished anonymous-link drafts older than DAYS (nobody can resume them)."""
    count = response_ops.purge_link_drafts(db.session, days)
    record_audit(db.session, kind="responses.drafts_purged", detail={"count": count, "days": days})
    db.session.commit()
    click.echo(f"deleted {count} unfinished link drafts started more than {days} days ago")


@click.command("backup")
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write a backup of the SQLite database to this new file.",
)
@click.option(
    "--verify",
    "verify_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Check a backup file: integrity and row counts.",
)
@with_appcontext
def backup_command(out_path: str | None, verify_path: str | None) -> None:
    """Back up the SQLite database (online backup API), or verify a backup."""

    from . import backup as backups

    if bool(out_path) == bool(verify_path):
        _fail(["Give either --out PATH or --verify PATH."])
    try:
        if out_path:
            result = backups.backup(current_settings().database_url, Path(out_path))
            record_audit(
                db.session, kind="backup.made", detail={"rows": sum(result.counts.values())}
            )
            db.session.commit()
            click.echo(f"wrote {out_path}")
        else:
            result = backups.verify(Path(verify_path or ""))
    except backups.BackupError as exc:
        _fail([str(exc)])
    click.echo(f"integrity: {result.integrity}")
    for table, count in result.counts.items():
        click.echo(f"  {table:<20} {count:>8} rows")


@click.command("access")
@with_appcontext
def access_command() -> None:
    """Every URL with its methods and who may reach it (survey_app/access.py)."""

    from .access import route_lines

    lines = list(route_lines(current_app))
    width = max(len(line.url) for line in lines)
    for line in lines:
        click.echo(f"{line.methods:<16} {line.url:<{width}}  {line.who}  [{line.endpoint}]")


report_group = AppGroup("report", help="The report's tables and their disclosure audit.")


@report_group.command("audit")
@click.option("--site", default=None, help="Only this site.")
@click.option("--by-period", is_flag=True, help="Also each study period, as the split has it.")
@with_appcontext
def report_audit_command(site: str | None, by_period: bool) -> None:
    """Print each hidden cell of the publication release these filters make, with the
    interval a reader can prove for it (never its value); exit 1 if the audit fails."""
    from .report.tables import build_report

    if site:
        try:
            participant_ops.site_by_code(db.session, site)
        except participant_ops.UnknownSite as exc:
            _fail([str(exc)])
    threshold = current_settings().publication_threshold
    filters = ExportFilters(site=site, publication=True, threshold=threshold)
    try:
        report = build_report(db.session, filters, by_period=by_period)
    except ReleaseRefused as exc:
        _fail([str(exc)])
    release = report.release
    if release is None:
        click.echo("nothing to report")
        return
    for where, cell, interval, ok in release.report():
        click.echo(f"{where}: {cell}: {interval}{'' if ok else '  NOT PROTECTED'}")
    hidden = len(release.decision.hidden) if release.decision else 0
    click.echo(
        f"{hidden} cells hidden in {len(release.grids)} grids; audit {release.seconds:.2f} s"
    )
    if release.failed_grids:
        _fail([f"audit failed: {', '.join(dict.fromkeys(release.failed_grids))}"])


def register(app: Flask) -> None:
    app.cli.add_command(access_command, "access")
    app.cli.add_command(backup_command, "backup")
    app.cli.add_command(export_command, "export")
    for group in (instruments, users, participants, links, responses, report_group):
        app.cli.add_command(group)
    from .demo.cli import demo  # the demo study (survey_app/demo)
    from .field.cli import field  # field laptops (survey_app/field)

    app.cli.add_command(demo)

    app.cli.add_command(field)
