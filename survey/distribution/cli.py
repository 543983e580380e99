"""``survey places import FILE [--dry-run]`` and ``survey places import-geo FILE``: the same
imports as the web area.

(``survey demo`` lives in ``survey/admin/cli.py``: it also makes the demo accounts.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from survey.core.commands import require_schema
from survey.core.errors import InvalidInput
from survey.distribution import outlines, places
from survey.extensions import db


@click.group("places")
def places_group() -> None:
    """Municipality, districts and schools."""


@places_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only show what would change.")
@with_appcontext
def import_command(file: Path, dry_run: bool) -> None:
    """Import schools from CSV or XLSX (columns as in the template); matched by Schulnummer."""
    require_schema()
    try:
        plan = places.plan_import(db.session, file.name, file.read_bytes())
    except InvalidInput as error:
        click.echo(f"{file}: {error.message}", err=True)
        sys.exit(1)
    click.echo(
        f"{len(plan.added)} new, {len(plan.changed)} changed, {len(plan.unchanged)} unchanged"
    )
    for row, changes in plan.changed:
        click.echo(f"  {row.number}: " + "; ".join(changes))
    for bad in plan.bad:
        click.echo(f"{file}: {bad.line()}", err=True)
    if not plan.ok:
        click.echo("nothing imported: fix the rows above", err=True)
        sys.exit(1)
    if dry_run:
        click.echo("dry run: nothing written", err=True)
        return
    places.apply_import(db.session, None, plan, file.name)
    db.session.commit()
    click.echo("imported", err=True)


@places_group.command("import-geo")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--municipality", help="The municipality the districts belong to (if several).")
@click.option(
    "--property",
    "property_name",
    default=outlines.DEFAULT_PROPERTY,
    show_default=True,
    help="The feature property that holds the district's name.",
)
@with_appcontext
def import_geo_command(file: Path, municipality: str | None, property_name: str) -> None:
    """Import district outlines from GeoJSON (WGS84), for the maps of the reports."""
    require_schema()
    try:
        outlines.check_size(file.stat().st_size)  # before reading a huge file into memory
        result = outlines.import_file(
            db.session, None, file.read_bytes(), file.name, municipality, property_name
        )
    except InvalidInput as error:
        db.session.rollback()
        click.echo(f"{file}: {error.message}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(
        f"{result.municipality}: {len(result.stored)} outlines stored ({', '.join(result.stored)})"
    )
    if result.without:
        click.echo(f"districts still without an outline: {', '.join(result.without)}", err=True)
