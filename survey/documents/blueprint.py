"""Routes of the reports: the list of a campaign's reports, and one unit's report as a page,
a PDF or an HTML file.

Coordinators open their own schools' reports of closed campaigns (anything of another
school is 404); analysts and admins open every unit's, the preview of an open campaign
and the version with free-text answers. Every report shown or downloaded is written to
the audit log.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user

from survey.core import audit, clock
from survey.core.permissions import Action, can, require, requires
from survey.distribution.campaigns import visible_schools_of
from survey.distribution.labels import AUDIENCE_LABELS
from survey.distribution.models import Campaign, CampaignState
from survey.extensions import db
from survey.questionnaires.registry import registry
from survey.reports.blueprint import ReportNotYet

bp = Blueprint("documents", __name__, template_folder="templates")


def _campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    require(current_user, Action.VIEW_REPORTS, campaign)
    return campaign


@bp.get("/berichte/<int:campaign_id>")
@requires(Action.VIEW_REPORTS)
def index(campaign_id: int):
    # pandas, numpy and reportlab are imported when a report is asked for, not by every
    # web worker at start-up (tests/test_cli.py)
    from survey.documents import services

    campaign = _campaign(campaign_id)
    analyst = can(current_user, Action.VIEW_ALL_REPORTS)
    schools = visible_schools_of(campaign, current_user)
    districts = sorted({s.district.name for s in schools}) if analyst else []
    audiences = [q.audience for q in campaign.questionnaires]
    return render_template(
        "documents/index.html",
        campaign=campaign,
        schools=schools,
        districts=districts,
        municipality=campaign.municipality.name if analyst else None,
        analyst=analyst,
        audiences=[(a, AUDIENCE_LABELS.get(a, a)) for a in audiences],
        is_open=campaign.state != CampaignState.CLOSED,
        formats=services.FORMATS,
    )


@bp.get("/berichte/<int:campaign_id>/<level>/<unit>")
@requires(Action.VIEW_REPORTS)
def report(campaign_id: int, level: str, unit: str):
    from survey.core.suppress import LEVELS
    from survey.documents import html, services

    campaign = _campaign(campaign_id)
    if level not in LEVELS:
        abort(404)
    if level == "school":
        school = next((s for s in campaign.schools if s.number == unit), None)
        if school is None:
            abort(404)
        require(current_user, Action.VIEW_REPORTS, school)
    else:
        require(current_user, Action.VIEW_ALL_REPORTS)
    staff = can(current_user, Action.VIEW_ALL_REPORTS)
    if campaign.state != CampaignState.CLOSED and not staff:
        raise ReportNotYet()
    fmt = request.args.get("format", "page")
    if fmt not in ("page", *services.FORMATS):
        abort(404)
    analyst = staff and request.args.get("fassung") == "auswertung"
    offered = [q.audience for q in campaign.questionnaires]
    chosen = [a for a in request.args.getlist("zielgruppe") if a in offered] or offered
    src = services.load(
        db.session,
        campaign.slug,
        registry().all(),
        current_app.config["QUESTIONNAIRE_DIR"],
        int(current_app.config["MIN_GROUP_SIZE"]),
        clock.today(),
        preview=staff,
    )
    built = services.report(db.session, src, level, unit, chosen, analyst=analyst)
    audit.record(
        db.session,
        current_user.id,
        "download",
        target=f"Bericht {campaign.slug} {level} {unit}",
        detail=f"format={fmt} zielgruppen={','.join(chosen)}"
        + (" fassung=auswertung" if analyst else "")
        + (" vorschau" if built.preview else ""),
    )
    db.session.commit()
    if fmt == "page":
        response = Response(html.render(built), mimetype="text/html")
        response.headers["Content-Security-Policy"] = _page_policy()
    else:
        response = Response(
            services.render(built, fmt), mimetype=services.MEDIA_TYPES[fmt].split(";")[0]
        )
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{services.file_name(built, fmt)}"'
        )
        if fmt == "html":
            response.headers["Content-Security-Policy"] = (
                "default-src 'none'; style-src 'unsafe-inline'"
            )
    response.headers["Cache-Control"] = "no-store"
    return response


def _page_policy() -> str:
    """The app's policy plus the report's stylesheet, allowed by its hash."""
    from survey.documents import html

    policy = current_app.extensions["survey.csp"]
    return policy.replace("style-src ", f"style-src '{html.css_hash()}' ", 1)
