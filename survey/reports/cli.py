"""``survey report``: one file per school, district or the municipality."""

from __future__ import annotations

import dataclasses
import os
import pickle
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from survey.core.commands import require_schema
from survey.core.db import make_engine
from survey.core.suppress import LEVELS
from survey.distribution.models import AUDIENCES
from survey.questionnaires.registry import registry
from survey.reports import export, preparing, services

#: The formats ``survey.documents`` writes (the reports people read).
DOCUMENT_FORMATS = ("pdf", "html")
#: Seconds one statement of a report may run (setting REPORT_STATEMENT_TIMEOUT).
REPORT_STATEMENT_TIMEOUT = 600
#: Workbooks (about a second each) are written by worker processes, one per core (setting
#: REPORT_WORKERS), from this many units on; CSV files take milliseconds and stay here.
PARALLEL_FROM = 6
#: units per task: small enough for an even share and a moving progress bar
CHUNK = 3


def _report_engine():
    """An engine of the commands' own: a report or an export reads every answer of a
    campaign once, longer than the web's statement timeout allows."""
    return make_engine(
        current_app.config["DATABASE_URL"],
        int(current_app.config["DB_CONNECT_TIMEOUT"]),
        int(current_app.config.get("REPORT_STATEMENT_TIMEOUT", REPORT_STATEMENT_TIMEOUT)),
    )


@click.command("report")
@click.option("--campaign", "slug", required=True, help="The campaign's identifier.")
@click.option("--level", type=click.Choice(LEVELS), required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*services.FORMATS, *DOCUMENT_FORMATS]),
    default="csv",
    show_default=True,
    help="csv and xlsx: the figures; pdf and html: the report to read (survey.documents).",
)
@click.option(
    "--audience",
    "audiences",
    multiple=True,
    type=click.Choice(AUDIENCES),
    help="pdf/html: only this audience (repeatable; default every audience of the campaign).",
)
@click.option(
    "--analyst",
    is_flag=True,
    help="pdf/html: the analysts' version with free-text answers (never for schools).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    help="pdf/html: processes that render at once (default 0: one per core).",
)
@click.option("--school", "schools", multiple=True, help="Only this school (repeatable).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--preview", is_flag=True, help="Allow an open campaign (files marked _preview).")
@click.option("--language", default="de", show_default=True, help="Language of the XLSX texts.")
@click.option(
    "--audit",
    is_flag=True,
    help="Also print how many cells suppression hides per level and the narrowest interval "
    "a linear program reaches for a hidden cell (sampled systems).",
)
@with_appcontext
def report_command(
    slug: str,
    level: str,
    fmt: str,
    schools: tuple[str, ...],
    out_dir: Path,
    preview: bool,
    language: str,
    audit: bool,
    audiences: tuple[str, ...],
    analyst: bool,
    jobs: int,
) -> None:
    """Write the suppressed figures of a closed campaign, one file per unit of LEVEL."""
    require_schema()
    if schools and level != "school":
        raise click.UsageError("--school needs --level school")
    if fmt in DOCUMENT_FORMATS:
        _documents(slug, level, fmt, schools, out_dir, preview, audiences, analyst, jobs)
        return
    if audiences or analyst:
        raise click.UsageError("--audience and --analyst go with --format pdf or html")
    # A report reads every answer of a campaign once: longer than the web's statement
    # timeout allows on a big campaign, so the command uses an engine of its own.
    engine = _report_engine()
    try:
        with Session(engine) as session:
            built = services.build(
                session,
                slug,
                registry().all(),
                int(current_app.config["MIN_GROUP_SIZE"]),
                preview=preview,
                keep_systems=audit,
                with_breakdowns=True,
                store=preparing.store_folder(current_app),
            )
    finally:
        engine.dispose()  # also when the campaign is refused: no connection left open
    if built.preview:
        click.echo(
            "a preview has no breakdowns: they are computed once the campaign is closed",
            err=True,
        )
    wanted = list(schools) or services.units(built, level)
    workers = min(int(current_app.config.get("REPORT_WORKERS") or os.cpu_count() or 1), 8)
    if fmt == "xlsx" and workers > 1 and len(wanted) >= PARALLEL_FROM:
        written = _write_in_workers(built, level, fmt, out_dir, wanted, language, workers)
    else:
        with click.progressbar(wanted, label="writing", file=sys.stderr) as bar:
            written = [
                p
                for unit in bar
                for p in services.write(built, level, fmt, out_dir, [unit], language)
            ]
    for path in written:
        click.echo(str(path))
    if audit:
        found = services.audit(built)
        for level, counts in found.suppressed.items():
            shown = ", ".join(f"{status} {n}" for status, n in counts.items())
            click.echo(f"{level}: {shown}", err=True)
        click.echo(
            f"rank test, pinned sums and labels over all {found.systems_checked} systems: "
            f"{found.systems_exposed} with a hidden count that can be worked out",
            err=True,
        )
        click.echo(f"LP audit of {found.systems_audited} systems: {_narrowest(found)}", err=True)
        for level, counts in found.breakdowns_suppressed.items():
            shown = ", ".join(f"{status} {n}" for status, n in counts.items())
            click.echo(f"breakdowns, {level}: {shown}", err=True)
        if found.joint_systems_checked:
            click.echo(
                f"units and breakdowns together, over all {found.joint_systems_checked} joint "
                f"systems: {found.joint_systems_exposed} with a hidden count that can be "
                f"worked out; {found.breakdowns_withheld} breakdowns of a question withheld "
                "(fail closed)",
                err=True,
            )


def _narrowest(found: services.Audit) -> str:
    if found.narrowest is None:
        return "no hidden count below k to audit"
    width, (audience, _questionnaire, variable), cell, n, low, high = found.narrowest
    level, unit, group, value = cell
    where = f"{level} {unit}" + (f" ({group})" if group else "")
    return (
        f"the narrowest interval for a hidden count below k is {low:g} to {high:g} "
        f"(width {width:g}; the count is {n}): {audience} {variable} = {value}, {where}"
    )


def _write_in_workers(
    built: services.Built,
    level: str,
    fmt: str,
    out_dir: Path,
    wanted: list[str],
    language: str,
    workers: int,
) -> list[Path]:
    """``services.write`` for ``wanted`` in ``workers`` spawned processes (safe wherever
    fork is not: each worker builds its own app from this one's configuration and gets
    the built figures once); paths in the order of ``wanted``."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    config = preparing.portable(current_app.config)
    figures = dataclasses.replace(built.figures, systems=[], memo={})
    found = built.breakdowns and dataclasses.replace(built.breakdowns, systems=[])
    shared = pickle.dumps(dataclasses.replace(built, figures=figures, breakdowns=found))
    chunks = [wanted[i : i + CHUNK] for i in range(0, len(wanted), CHUNK)]
    out_dir.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(
        min(workers, len(chunks)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_start,
        initargs=(current_app.import_name, current_app.instance_path, config, shared),
    ) as pool:
        futures = {
            pool.submit(_worker_write, level, fmt, str(out_dir), chunk, language): i
            for i, chunk in enumerate(chunks)
        }
        done: dict[int, list[Path]] = {}
        with click.progressbar(length=len(wanted), label="writing", file=sys.stderr) as bar:
            for future in as_completed(futures):
                i = futures[future]
                done[i] = future.result()
                bar.update(len(chunks[i]))
    return [p for i in range(len(chunks)) for p in done[i]]


#: the worker's app context and figures (set once per worker process)
_WORKER: dict = {}


def _worker_start(import_name: str, instance_path: str, config: dict, shared: bytes) -> None:
    app = preparing.app_by_name(import_name, instance_path, config)
    context = app.app_context()
    context.push()
    _WORKER.update(app=app, context=context, built=pickle.loads(shared))  # noqa: S301 - our parent's figures


def _worker_write(level: str, fmt: str, out_dir: str, units: list[str], language: str):
    return services.write(_WORKER["built"], level, fmt, Path(out_dir), units, language)


def _documents(
    slug: str,
    level: str,
    fmt: str,
    schools: tuple[str, ...],
    out_dir: Path,
    preview: bool,
    audiences: tuple[str, ...],
    analyst: bool,
    jobs: int,
) -> None:
    """The reports to read, one file per unit: the engine's figures are built once."""
    from survey.core import clock
    from survey.documents import model
    from survey.documents import services as documents

    engine = _report_engine()
    try:
        with Session(engine) as session:
            src = documents.load(
                session,
                slug,
                registry().all(),
                Path(current_app.config["QUESTIONNAIRE_DIR"]),
                int(current_app.config["MIN_GROUP_SIZE"]),
                clock.today(),
                preview=preview,
            )
            wanted = list(schools) or model.units(src, level)
            for unit in wanted:
                documents.check_unit(src, level, unit)
            files = documents.write(
                session, src, level, fmt, out_dir, wanted, audiences or None,
                analyst=analyst, jobs=jobs or os.cpu_count() or 1,
            )  # fmt: skip
            with click.progressbar(
                files, length=len(wanted), label="writing", file=sys.stderr
            ) as bar:
                written = list(bar)
    finally:
        engine.dispose()
    for path in written:
        click.echo(str(path))


@click.command("export")
@click.option("--campaign", "slug", required=True, help="The campaign's identifier.")
@click.option("--format", "fmt", type=click.Choice(export.FORMATS), required=True)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The file to write. Without --audience: one file per audience, named "
    "<FILE>-<audience>.<ext>. CSV also writes its codebook as <name>-codebook.csv.",
)
@click.option("--audience", help="Only this audience's questionnaire, written to FILE itself.")
@click.option(
    "--level",
    type=click.Choice(LEVELS),
    help="Place responses at this level (default: the questionnaire's report level); "
    "identifying background answers are exported only at a level their marker allows.",
)
@click.option("--preview", is_flag=True, help="Allow an open campaign (files marked _preview).")
@with_appcontext
def export_command(
    slug: str, fmt: str, out: Path, audience: str | None, level: str | None, preview: bool
) -> None:
    """Write the anonymised response data of a campaign (one row per response, rows in
    random order) for analysts, with a codebook; every export is audit-logged."""
    if out.suffix and out.suffix.lower() != f".{fmt}":
        raise click.UsageError(f"--out {out.name} does not end in .{fmt} (--format {fmt})")
    require_schema()
    engine = _report_engine()
    k = int(current_app.config["MIN_GROUP_SIZE"])
    questionnaires = registry().all()
    try:
        with Session(engine) as session:
            jobs = export.prepare(
                session, slug, fmt, out, questionnaires,
                audience=audience, level=level, preview=preview, actor_id=None,
                channel=f"survey export ({_system_user()})",
            )  # fmt: skip
            session.commit()  # the audit entries, before any data is read
            written = [p for plan, path in jobs for p in export.write(session, plan, fmt, path, k)]
    finally:
        engine.dispose()
    for path in written:
        click.echo(str(path))


def _system_user() -> str:
    """Who ran the command, for the audit log (no staff account signs in on the command
    line; the server's user is the accountable one)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a bare container)
        return "unbekannt"
