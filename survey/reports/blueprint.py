"""Report downloads in the staff area: thin views over ``services`` and ``export``.

Coordinators get their own schools' tidy CSV, breakdowns CSV and XLSX, once the campaign
is closed (an open campaign's report answers 409 with a page that says when it comes, as
the report pages of ``survey.documents`` do).
Analysts and admins get every level, a preview of an open campaign (marked in the file
name and the workbook), and the anonymised data. Every download is audit-logged, and
the entry is committed before the file is sent.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wsgi import FileWrapper

from survey.core.audit import record
from survey.core.errors import SurveyError
from survey.core.events import campaign_closed
from survey.core.permissions import Action, can, require, requires, school_scope
from survey.distribution.models import Campaign, District
from survey.extensions import db
from survey.questionnaires.registry import registry
from survey.reports import preparing

bp = Blueprint("reports", __name__, template_folder="templates")


@bp.record_once
def _prepare_when_closed(state) -> None:
    """A campaign closed in the staff area has its breakdowns computed at once, beside
    the request that closed it, so that the first download finds them kept."""

    def prepare(app, slug: str) -> None:
        if app.config["REPORT_PREPARE_ON_CLOSE"]:
            k = int(app.config["MIN_GROUP_SIZE"])
            preparing.start(app, slug, f"closed {slug}", k)

    campaign_closed.connect(prepare, sender=state.app, weak=False)


class ReportNotYet(SurveyError):
    """A coordinator asks for a report of a campaign that is still open (here and on the
    report pages of ``survey.documents``): its figures are not final before the close."""

    status = 409
    title = _l("Der Bericht kommt nach der Befragung")
    message = _l(
        "Berichte gibt es, wenn die Befragung abgeschlossen ist: erst dann stehen die Zahlen fest."
    )


class BreakdownsNotYet(SurveyError):
    """Breakdowns of an open campaign (a preview): they are protected once, from the
    frozen answers of the closed campaign (``survey.reports.stored``)."""

    status = 409
    title = _l("Die Aufschlüsselungen kommen nach der Befragung")
    message = _l(
        "Zahlen nach Sprache, Schulform und Sozialindex werden einmal berechnet, wenn die "
        "Kampagne geschlossen ist. Die Vorschau als CSV und XLSX gibt es schon jetzt."
    )


class BreakdownsFailed(SurveyError):
    """The computation of the breakdowns beside the request failed (logged there)."""

    status = 503
    title = _l("Die Aufschlüsselungen konnten nicht berechnet werden")
    message = _l("Bitte versuchen Sie es in einigen Minuten noch einmal.")


MIMETYPES = {
    "csv": "text/csv",
    "breakdowns": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
}
#: seconds after which the page of breakdowns being computed asks again
PREPARING_REFRESH_SECONDS = 15
#: the data formats offered (``export.FORMATS``), and the codebook that goes with the CSV
DATA_FORMATS = ("csv", "codebook", "xlsx", "sav", "dta")


# The report engine (pandas, numpy, scipy) is imported by the views that use it, not
# when the app starts: a web worker that never builds a report stays small.
def _services():
    from survey.reports import services

    return services


def _export():
    from survey.reports import export

    return export


def _campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    require(current_user, Action.VIEW_REPORTS, campaign)
    return campaign


def _attachment(name: str) -> str:
    """A download's header: an ASCII name for old clients, the exact one (RFC 6266) for
    the others (a district may be named "Gülüşlü"; headers are Latin-1 only)."""
    plain = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name)}"


def _k() -> int:
    return int(current_app.config["MIN_GROUP_SIZE"])


def _built(campaign: Campaign, fmt: str, level: str, unit: str):
    """The campaign's figures; a preview of an open one only for analysts and admins.
    The breakdowns (in the breakdowns CSV and the workbook) as kept, or computed beside
    this request, which waits ``REPORT_WAIT_SECONDS`` for them: None when they take
    longer (the caller answers with a page that asks again)."""
    from survey.reports.breakdowns import NotStored

    preview = campaign.is_open
    if preview and not can(current_user, Action.VIEW_ALL_REPORTS):
        raise ReportNotYet()
    if preview and fmt == "breakdowns":
        raise BreakdownsNotYet()
    services, questionnaires = _services(), registry().all()
    built = services.build(db.session, campaign.slug, questionnaires, _k(), preview=preview)
    if fmt not in ("xlsx", "breakdowns"):
        return built

    def kept():  # the unit figures are built once, the store is asked again
        return services.with_breakdowns_of(
            db.session,
            built,
            questionnaires,
            store=preparing.store_folder(current_app),
            stored_only=True,
            only=(level, unit),
        )

    try:
        return kept()
    except NotStored as missing:
        job = preparing.start(
            current_app._get_current_object(), campaign.slug, missing.args[0], _k()
        )
    try:
        job.result(timeout=current_app.config["REPORT_WAIT_SECONDS"])
    except TimeoutError:
        return None
    except Exception as error:  # logged when the computation ended (preparing._forget)
        raise BreakdownsFailed() from error
    try:
        return kept()
    except NotStored as missing:  # computed, but the store could not keep them (logged)
        raise BreakdownsFailed() from missing


def _preparing(campaign: Campaign):
    """202: the breakdowns are being computed; the page asks again by itself."""
    page = render_template(
        "reports/preparing.html", campaign=campaign, seconds=PREPARING_REFRESH_SECONDS
    )
    headers = {"Retry-After": str(PREPARING_REFRESH_SECONDS), "Cache-Control": "no-store"}
    return page, 202, headers


def _send_report(campaign: Campaign, level: str, unit: str, label: str, fmt: str):
    built = _built(campaign, fmt, level, unit)
    if built is None:
        return _preparing(campaign)
    if fmt == "breakdowns":  # by answer language, school type, Sozialindex (German names)
        name, data = _services().breakdowns_file(built, level, unit)
    else:
        name, data = _services().unit_file(built, level, unit, fmt, str(get_locale() or "de"))
    record(
        db.session,
        current_user.id,
        "download",
        target=f"Kampagne {campaign.slug}",
        detail=f"Bericht {level} {label} ({fmt}" + (", Vorschau)" if built.preview else ")"),
    )
    db.session.commit()
    return Response(
        data,
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": _attachment(name)},
    )


def _export_audiences(campaign: Campaign) -> list[str]:
    known = registry().all()
    return [q.audience for q in campaign.questionnaires if q.questionnaire_id in known]


@bp.get("/kampagnen/<int:campaign_id>/berichte")
@requires(Action.VIEW_REPORTS)
def downloads(campaign_id: int):
    campaign = _campaign(campaign_id)
    scope = school_scope(current_user)
    schools = [s for s in campaign.schools if scope is None or s.id in scope]
    may_all = can(current_user, Action.VIEW_ALL_REPORTS)
    districts = sorted({s.district for s in campaign.schools}, key=lambda d: d.name)
    return render_template(
        "reports/downloads.html",
        campaign=campaign,
        schools=schools,
        districts=districts if may_all else [],
        may_all=may_all,
        may_export=can(current_user, Action.EXPORT_DATA),
        audiences=_export_audiences(campaign),
        data_formats=DATA_FORMATS,
        figures_shown=not campaign.is_open or may_all,
    )


@bp.get(
    "/kampagnen/<int:campaign_id>/berichte/schulen/<int:school_id>/<any(csv, xlsx, breakdowns):fmt>"
)
@requires(Action.VIEW_REPORTS)
def school_report(campaign_id: int, school_id: int, fmt: str):
    campaign = _campaign(campaign_id)
    school = next((s for s in campaign.schools if s.id == school_id), None)
    if school is None:
        abort(404)
    require(current_user, Action.VIEW_REPORTS, school)
    return _send_report(campaign, "school", school.number, school.number, fmt)


@bp.get(
    "/kampagnen/<int:campaign_id>/berichte/sozialraeume/<int:district_id>/<any(csv, xlsx, breakdowns):fmt>"
)
@requires(Action.VIEW_ALL_REPORTS)
def district_report(campaign_id: int, district_id: int, fmt: str):
    campaign = _campaign(campaign_id)
    district = db.session.get(District, district_id)
    if district is None or district.municipality_id != campaign.municipality_id:
        abort(404)
    return _send_report(campaign, "district", district.name, district.name, fmt)


@bp.get("/kampagnen/<int:campaign_id>/berichte/kommune/<any(csv, xlsx, breakdowns):fmt>")
@requires(Action.VIEW_ALL_REPORTS)
def municipality_report(campaign_id: int, fmt: str):
    campaign = _campaign(campaign_id)
    name = campaign.municipality.name
    return _send_report(campaign, "municipality", name, name, fmt)


@bp.get("/kampagnen/<int:campaign_id>/daten/<audience>/<any(csv, xlsx, sav, dta, codebook):fmt>")
@requires(Action.EXPORT_DATA)
def data(campaign_id: int, audience: str, fmt: str):
    """The anonymised responses of one audience. Built into a temporary file (CSV and
    XLSX with flat memory) that is sent and removed; the audit entry comes first."""
    export = _export()
    campaign = _campaign(campaign_id)
    questionnaires = registry().all()
    if audience not in export.audiences(campaign, questionnaires):
        abort(404)
    plan = export.plan(db.session, campaign.slug, audience, questionnaires, preview=True)
    export.record_download(db.session, current_user.id, plan, fmt, "den Mitarbeiterbereich")
    db.session.commit()
    if fmt == "codebook":
        name = export.codebook_path(Path(export.file_name(plan, "csv"))).name
        return Response(
            export.codebook_csv(plan),
            mimetype=MIMETYPES["csv"],
            headers={"Content-Disposition": _attachment(name)},
        )
    folder = tempfile.mkdtemp(prefix="mitwirken-export-")
    try:
        path = Path(folder) / export.file_name(plan, fmt)
        export.write(db.session, plan, fmt, path, _k())
        handle = path.open("rb")  # still readable after the folder is gone (POSIX)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    # FileWrapper closes the file when the server closes the response (also when the
    # client goes away before the end)
    return Response(
        FileWrapper(handle, 1 << 16),
        direct_passthrough=True,
        mimetype=MIMETYPES[fmt],
        headers={
            "Content-Disposition": _attachment(export.file_name(plan, fmt)),
            "Cache-Control": "no-store",
        },
    )
