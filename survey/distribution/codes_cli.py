"""``survey codes``: switch one-time access codes on or off, issue and print a batch,
revoke a batch or a code, and show the counts; the same services as the staff area."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from survey.core import clock
from survey.core.commands import require_schema
from survey.core.errors import InvalidInput, SurveyError
from survey.distribution import codes
from survey.distribution.models import AccessCodeBatch, Campaign, School
from survey.extensions import db
from survey.i18n.locale import offer


class CodesError(SurveyError):
    """A codes command that cannot be carried out (unknown campaign, school…)."""


def _campaign_school(slug: str, number: str) -> tuple[Campaign, School]:
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise CodesError(f"no campaign {slug!r}")
    school = next((s for s in campaign.schools if s.number == number), None)
    if school is None:
        raise CodesError(f"campaign {slug!r} has no school {number!r}")
    return campaign, school


def _fail(error: InvalidInput) -> None:
    raise CodesError(str(error.message))


@click.group("codes")
def codes_group() -> None:
    """One-time access codes on slips (one answer per code)."""


_campaign_option = click.option(
    "--campaign", required=True, help="The campaign's short name (slug)."
)
_school_option = click.option("--school", required=True, help="The school's number.")
_audience_option = click.option(
    "--audience", required=True, help="families, staff, children or partners."
)


@codes_group.command("issue")
@_campaign_option
@_school_option
@_audience_option
@click.option(
    "--count", type=click.IntRange(1, codes.MAX_BATCH), required=True, help="How many codes."
)
@click.option(
    "--lang",
    "languages",
    default="de",
    show_default=True,
    help="Languages of the instruction on each slip, comma-separated (at most two: de,ar).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="PDF file to write (the only copy of the codes).",
)
@with_appcontext
def issue_command(
    campaign: str, school: str, audience: str, count: int, languages: str, out: Path
) -> None:
    """Issue COUNT codes and write their slip sheet (A4, ten slips a page).

    The codes are not stored, only their keyed hashes: keep the PDF until it is printed,
    then delete it. A lost sheet: revoke its batch and issue a new one.
    """
    require_schema()
    found, place = _campaign_school(campaign, school)
    wanted = [lang.strip() for lang in languages.split(",") if lang.strip()]
    try:
        chosen = codes.slip_languages(wanted, offer().ui())
        issued = codes.issue(
            db.session,
            None,
            found,
            place,
            audience,
            count,
            current_app.config["SECRET_KEY"],
            clock.today(),
        )
        # Written before the commit: no batch without its sheet.
        pages = codes.print_batch(
            out, db.session, None, issued, found, place, current_app.config["BASE_URL"], chosen
        )
    except InvalidInput as error:
        db.session.rollback()
        _fail(error)
        return
    db.session.commit()
    state = codes.scope(db.session, found, place, audience)
    click.echo(str(out))
    click.echo(f"batch {issued.batch.id}: {count} codes on {pages} page(s)", err=True)
    if state is None or not state.required:
        click.echo(
            f"codes are off for {audience} at school {school}: "
            f"`survey codes on --campaign {campaign} --school {school} --audience {audience}`",
            err=True,
        )


def _switch(campaign: str, school: str, audience: str, on: bool) -> None:
    require_schema()
    found, place = _campaign_school(campaign, school)
    try:
        codes.switch(db.session, None, found, place, audience, on)
    except InvalidInput as error:
        _fail(error)
    db.session.commit()
    click.echo(f"codes {'on' if on else 'off'}: {campaign}, school {school}, {audience}", err=True)


@codes_group.command("on")
@_campaign_option
@_school_option
@_audience_option
@with_appcontext
def on_command(campaign: str, school: str, audience: str) -> None:
    """The link asks for a code before the questionnaire; one answer per code."""
    _switch(campaign, school, audience, True)


@codes_group.command("off")
@_campaign_option
@_school_option
@_audience_option
@with_appcontext
def off_command(campaign: str, school: str, audience: str) -> None:
    """The link is open to everyone again (the codes keep their state)."""
    _switch(campaign, school, audience, False)


@codes_group.command("revoke")
@click.option("--batch", "batch_id", type=int, help="Revoke every unused code of this batch.")
@click.option("--campaign", help="With --school, --audience and --code: revoke one code.")
@click.option("--school", help="The school's number.")
@click.option("--audience", help="families, staff, children or partners.")
@click.option("--code", help="The code as printed, e.g. K7MX-4RTP.")
@with_appcontext
def revoke_command(
    batch_id: int | None,
    campaign: str | None,
    school: str | None,
    audience: str | None,
    code: str | None,
) -> None:
    """Revoke a batch (a lost sheet) or a single code."""
    require_schema()
    if batch_id is not None:
        batch = db.session.get(AccessCodeBatch, batch_id)
        if batch is None:
            raise CodesError(f"no batch {batch_id}")
        count = codes.revoke_batch(db.session, None, batch)
        db.session.commit()
        click.echo(f"batch {batch_id}: {count} unused code(s) revoked", err=True)
        return
    if not (campaign and school and audience and code):
        raise click.UsageError("give --batch, or --campaign, --school, --audience and --code")
    found, place = _campaign_school(campaign, school)
    try:
        codes.revoke_code(
            db.session, None, found, place, audience, code, current_app.config["SECRET_KEY"]
        )
    except InvalidInput as error:
        db.session.rollback()
        _fail(error)
    db.session.commit()
    click.echo("code revoked", err=True)


@codes_group.command("status")
@_campaign_option
@with_appcontext
def status_command(campaign: str) -> None:
    """Per school and audience: on or off, codes issued, used, revoked, open."""
    require_schema()
    found = db.session.scalar(select(Campaign).where(Campaign.slug == campaign))
    if found is None:
        raise CodesError(f"no campaign {campaign!r}")
    numbers = {s.id: s.number for s in found.schools}
    click.echo("school\taudience\tcodes\tissued\tused\trevoked\topen")
    for (school_id, audience), c in sorted(
        codes.counts(db.session, found.id).items(),
        key=lambda item: (numbers.get(item[0][0], ""), item[0][1]),
    ):
        state = "on" if c.required else "off"
        click.echo(
            f"{numbers.get(school_id, school_id)}\t{audience}\t{state}\t"
            f"{c.issued}\t{c.used}\t{c.revoked}\t{c.open}"
        )
