"""Routes of the places, campaign, link and dashboard pages, and the short link ``/k/``.

Each view declares its action (``@requires``); objects are checked again with
``require`` so that a coordinator meets 404 for anything of another school.
"""

from __future__ import annotations

import base64
import binascii

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from survey.core.errors import InvalidInput
from survey.core.events import campaign_closed
from survey.core.permissions import Action, Role, can, public, require, requires, school_scope
from survey.core.web import upload_limit
from survey.distribution import campaigns as campaign_service
from survey.distribution import dashboard as dashboard_service
from survey.distribution import links as link_service
from survey.distribution import outlines, places
from survey.distribution.forms import (
    CampaignForm,
    ConfirmImportForm,
    DistrictForm,
    ExpectedForm,
    ImportForm,
    OutlineForm,
    SchoolForm,
)
from survey.distribution.models import AUDIENCES, Campaign, CampaignState, Link, School
from survey.extensions import db
from survey.i18n import locale
from survey.questionnaires.registry import registry

bp = Blueprint("distribution", __name__, template_folder="templates")


def _field_error(form, error: InvalidInput) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))


def _status(form) -> int:
    return 422 if form.errors or form.form_errors else 200


# --- short link -------------------------------------------------------------------------


@bp.get("/k/<code>")
@public
def short(code: str):
    """The typed-from-paper form of a link: ``/k/abcd-efgh-jkmn`` leads to ``/s/abcdefghjkmn``."""
    token = link_service.token_from_code(code)
    if token is None:
        abort(404)
    args = {"lang": request.args["lang"]} if request.args.get("lang") else {}
    return redirect(url_for("respond.intro", token=token, **args))


# --- places -----------------------------------------------------------------------------


@bp.get("/orte", endpoint="places")
@requires(Action.VIEW_PLACES)
def places_index():
    return render_template(
        "distribution/places.html",
        schools=places.visible_schools(db.session, current_user),
        may_edit=can(current_user, Action.EDIT_PLACES),
        district_form=DistrictForm(),
    )


def _school_form(school: School | None):
    districts = places.districts(db.session)
    if request.method == "GET" and school is not None:
        return SchoolForm(obj=school, districts=districts)
    return SchoolForm(districts=districts)


@bp.route("/orte/schulen/neu", methods=["GET", "POST"])
@requires(Action.EDIT_PLACES)
def school_new():
    return _edit_school(None)


@bp.route("/orte/schulen/<int:school_id>", methods=["GET", "POST"])
@requires(Action.EDIT_PLACES)
def school_edit(school_id: int):
    school = db.session.get(School, school_id)
    if school is None:
        abort(404)
    return _edit_school(school)


def _edit_school(school: School | None):
    form = _school_form(school)
    if not form.district_id.choices:
        flash(_("Bitte legen Sie zuerst einen Sozialraum an."), "error")
        return redirect(url_for(".places"))
    if form.validate_on_submit():
        try:
            places.save_school(
                db.session,
                current_user.id,
                school,
                form.number.data or "",
                form.name.data or "",
                form.school_type.data or "",
                form.sozialindex.data,
                form.district_id.data,
            )
        except InvalidInput as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Gespeichert."), "notice")
            return redirect(url_for(".places"))
    return render_template("distribution/school.html", form=form, school=school), _status(form)


@bp.post("/orte/sozialraeume")
@requires(Action.EDIT_PLACES)
def district_new():
    form = DistrictForm()
    if form.validate_on_submit():
        try:
            places.add_district(
                db.session, current_user.id, form.municipality.data or "", form.name.data or ""
            )
        except InvalidInput as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Der Sozialraum ist angelegt."), "notice")
            return redirect(url_for(".places"))
    return (
        render_template(
            "distribution/places.html",
            schools=places.visible_schools(db.session, current_user),
            may_edit=True,
            district_form=form,
        ),
        _status(form),
    )


@bp.route("/orte/import", methods=["GET", "POST"])
@requires(Action.EDIT_PLACES)
def places_import():
    """Step one: upload and preview. Nothing is written here."""
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("distribution/import.html", form=form), _status(form)
    upload = form.file.data
    data = upload.read()
    filename = (upload.filename or "").rsplit("/", 1)[-1][:200]
    try:
        plan = places.plan_import(db.session, filename, data)
    except InvalidInput as error:
        _field_error(form, error)
        return render_template("distribution/import.html", form=form), 422
    confirm = ConfirmImportForm(
        formdata=None, filename=filename, content=base64.b64encode(data).decode()
    )
    return render_template(
        "distribution/import_preview.html", plan=plan, filename=filename, confirm=confirm
    ), (200 if plan.ok else 422)


@bp.post("/orte/import/uebernehmen")
@requires(Action.EDIT_PLACES)
def places_import_confirm():
    """Step two: the same file again, planned again (the database may have moved), written."""
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        data = base64.b64decode(form.content.data or "", validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    filename = form.filename.data or ""
    try:
        plan = places.plan_import(db.session, filename, data)
        places.apply_import(db.session, current_user.id, plan, filename)
    except InvalidInput as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for(".places_import"))
    db.session.commit()
    flash(
        _(
            "Übernommen: %(added)d neu, %(changed)d geändert, %(unchanged)d unverändert.",
            added=len(plan.added),
            changed=len(plan.changed),
            unchanged=len(plan.unchanged),
        ),
        "notice",
    )
    return redirect(url_for(".places"))


@bp.get("/orte/vorlage.csv")
@requires(Action.EDIT_PLACES)
def template_csv():
    return Response(
        places.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=schulen-vorlage.csv"},
    )


@bp.get("/orte/vorlage.xlsx")
@requires(Action.EDIT_PLACES)
def template_xlsx():
    return Response(
        places.template_xlsx(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename=schulen-vorlage.xlsx"},
    )


@bp.route("/orte/umrisse", methods=["GET", "POST"])
@requires(Action.EDIT_PLACES)
@upload_limit(outlines.MAX_BYTES + 64 * 1024)
def places_outlines():
    """District outlines (GeoJSON) for the maps: upload, and what is there."""
    municipalities = outlines.municipalities(db.session)
    form = OutlineForm(municipalities=municipalities)
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        filename = (upload.filename or "").rsplit("/", 1)[-1][:200]
        municipality = next(m for m in municipalities if m.id == form.municipality_id.data)
        try:
            result = outlines.import_file(
                db.session,
                current_user.id,
                upload.read(outlines.MAX_BYTES + 1),
                filename,
                municipality.name,
                (form.property_name.data or "").strip() or outlines.DEFAULT_PROPERTY,
            )
        except InvalidInput as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(
                ngettext(
                    "%(num)d Umriss übernommen.",
                    "%(num)d Umrisse übernommen.",
                    len(result.stored),
                ),
                "notice",
            )
            return redirect(url_for(".places_outlines"))
    if form.errors or form.form_errors:
        status = 422
    return render_template(
        "distribution/outlines.html",
        form=form,
        overview=outlines.overview(db.session, municipalities),
    ), status


# --- campaigns --------------------------------------------------------------------------


def _campaign(campaign_id: int, action: Action) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    require(current_user, action, campaign)
    return campaign


def _school_of(campaign: Campaign, school_id: int, action: Action) -> School:
    school = next((s for s in campaign.schools if s.id == school_id), None)
    if school is None:
        abort(404)
    require(current_user, action, school)
    return school


def _valid_questionnaires() -> dict[str, str]:
    return {q.id: q.audience for q in registry().all().values()}


@bp.get("/kampagnen")
@requires(Action.VIEW_CAMPAIGN)
def campaigns():
    return render_template(
        "distribution/campaigns.html",
        campaigns=campaign_service.visible_campaigns(db.session, current_user),
        may_edit=can(current_user, Action.EDIT_CAMPAIGN),
    )


def _campaign_form(campaign: Campaign | None) -> CampaignForm:
    kwargs = {
        "municipalities": campaign_service.municipalities(db.session),
        "questionnaires": sorted(registry().all().values(), key=lambda q: q.id),
        "schools": campaign_service.all_schools(db.session),
    }
    if request.method == "GET" and campaign is not None:
        data = {
            "title": campaign.title,
            "slug": campaign.slug,
            "municipality_id": campaign.municipality_id,
            "opens_on": campaign.opens_on,
            "closes_on": campaign.closes_on,
            "school_ids": [s.id for s in campaign.schools],
            "school_contact": campaign.school_contact,
            **{q.audience: q.questionnaire_id for q in campaign.questionnaires},
        }
        return CampaignForm(data=data, **kwargs)
    return CampaignForm(**kwargs)


@bp.route("/kampagnen/neu", methods=["GET", "POST"])
@requires(Action.EDIT_CAMPAIGN)
def campaign_new():
    return _edit_campaign(None)


@bp.route("/kampagnen/<int:campaign_id>/bearbeiten", methods=["GET", "POST"])
@requires(Action.EDIT_CAMPAIGN)
def campaign_edit(campaign_id: int):
    return _edit_campaign(_campaign(campaign_id, Action.EDIT_CAMPAIGN))


def _edit_campaign(campaign: Campaign | None):
    form = _campaign_form(campaign)
    if not form.municipality_id.choices:
        flash(_("Bitte legen Sie zuerst Schulen und ihre Kommune an."), "error")
        return redirect(url_for(".places"))
    if form.validate_on_submit():
        spec = campaign_service.CampaignSpec(
            slug=(form.slug.data or "").strip().lower(),
            title=form.title.data or "",
            municipality_id=form.municipality_id.data,
            questionnaires={
                a: getattr(form, a).data for a in form.AUDIENCE_FIELDS if getattr(form, a).data
            },
            school_ids=list(form.school_ids.data or []),
            opens_on=form.opens_on.data,
            closes_on=form.closes_on.data,
            school_contact=form.school_contact.data,
        )
        try:
            saved = campaign_service.save_campaign(
                db.session, current_user.id, spec, _valid_questionnaires(), campaign
            )
        except InvalidInput as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Gespeichert."), "notice")
            return redirect(url_for(".campaign", campaign_id=saved.id))
    return (
        render_template("distribution/campaign_form.html", form=form, campaign=campaign),
        _status(form),
    )


@bp.get("/kampagnen/<int:campaign_id>")
@requires(Action.VIEW_CAMPAIGN)
def campaign(campaign_id: int):
    found = _campaign(campaign_id, Action.VIEW_CAMPAIGN)
    return render_template(
        "distribution/campaign.html",
        campaign=found,
        schools=campaign_service.visible_schools_of(found, current_user),
        may_edit=can(current_user, Action.EDIT_CAMPAIGN),
        may_reopen=can(current_user, Action.REOPEN_CAMPAIGN),
        import_form=ImportForm(),
    )


def _move(campaign_id: int, to: str, action: Action):
    found = _campaign(campaign_id, action)
    try:
        campaign_service.change_state(
            db.session, current_user.id, found, to, current_user.role == Role.ADMIN
        )
    except InvalidInput as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Der Zustand der Kampagne ist geändert."), "notice")
        if to == CampaignState.CLOSED:
            campaign_closed.send(current_app._get_current_object(), slug=found.slug)
    return redirect(url_for(".campaign", campaign_id=found.id))


@bp.post("/kampagnen/<int:campaign_id>/oeffnen")
@requires(Action.EDIT_CAMPAIGN)
def campaign_open(campaign_id: int):
    return _move(campaign_id, "open", Action.EDIT_CAMPAIGN)


@bp.post("/kampagnen/<int:campaign_id>/schliessen")
@requires(Action.EDIT_CAMPAIGN)
def campaign_close(campaign_id: int):
    return _move(campaign_id, "closed", Action.EDIT_CAMPAIGN)


@bp.post("/kampagnen/<int:campaign_id>/wieder-oeffnen")
@requires(Action.REOPEN_CAMPAIGN)
def campaign_reopen(campaign_id: int):
    return _move(campaign_id, "open", Action.REOPEN_CAMPAIGN)


@bp.route("/kampagnen/<int:campaign_id>/schulen/<int:school_id>/erwartet", methods=["GET", "POST"])
@requires(Action.SET_EXPECTED)
def expected(campaign_id: int, school_id: int):
    found = _campaign(campaign_id, Action.SET_EXPECTED)
    school = _school_of(found, school_id, Action.SET_EXPECTED)
    current = campaign_service.expected_counts(db.session, found.id, school.id)
    form = ExpectedForm(data=current) if request.method == "GET" else ExpectedForm()
    audiences = [a for a in AUDIENCES if found.questionnaire_for(a)]
    if form.validate_on_submit():
        counts = {a: getattr(form, a).data for a in audiences}
        try:
            campaign_service.set_expected(db.session, current_user.id, found, school, counts)
        except InvalidInput as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Gespeichert."), "notice")
            return redirect(url_for(".campaign", campaign_id=found.id))
    return (
        render_template(
            "distribution/expected.html",
            form=form,
            campaign=found,
            school=school,
            audiences=audiences,
        ),
        _status(form),
    )


@bp.post("/kampagnen/<int:campaign_id>/erwartet-import")
@requires(Action.EDIT_CAMPAIGN)
def expected_import(campaign_id: int):
    """Expected numbers for many schools at once; a file with any bad row writes nothing."""
    found = _campaign(campaign_id, Action.EDIT_CAMPAIGN)
    form = ImportForm()
    if not form.validate_on_submit():
        flash(_("Bitte wählen Sie eine Datei."), "error")
        return redirect(url_for(".campaign", campaign_id=found.id))
    upload = form.file.data
    try:
        plan = campaign_service.plan_expected(
            db.session, found, (upload.filename or "").rsplit("/", 1)[-1], upload.read()
        )
    except InvalidInput as error:
        return _expected_import_failed(found, form, str(error.message), [])
    if plan.bad:
        message = _("Die Datei hat fehlerhafte Zeilen; es wurde nichts übernommen.")
        return _expected_import_failed(found, form, message, plan.bad)
    campaign_service.apply_expected(db.session, current_user.id, found, plan)
    db.session.commit()
    flash(
        ngettext(
            "Erwartete Zahlen für %(count)d Schule übernommen.",
            "Erwartete Zahlen für %(count)d Schulen übernommen.",
            len(plan.counts),
            count=len(plan.counts),
        ),
        "notice",
    )
    return redirect(url_for(".campaign", campaign_id=found.id))


def _expected_import_failed(campaign: Campaign, form, message: str, problems: list[str]):
    return (
        render_template(
            "distribution/campaign.html",
            campaign=campaign,
            schools=campaign_service.visible_schools_of(campaign, current_user),
            may_edit=True,
            may_reopen=can(current_user, Action.REOPEN_CAMPAIGN),
            import_form=form,
            import_error=message,
            import_problems=problems,
        ),
        422,
    )


# --- links and QR codes -----------------------------------------------------------------


def _base_url() -> str:
    return str(current_app.config["BASE_URL"])


def _link_language(campaign: Campaign, audience: str) -> str | None:
    wanted = request.args.get("lang")
    questionnaire_id = campaign.questionnaire_for(audience)
    if not wanted or questionnaire_id is None:
        return None
    return wanted if wanted in locale.offer().questionnaire(questionnaire_id) else None


@bp.get("/kampagnen/<int:campaign_id>/schulen/<int:school_id>/links")
@requires(Action.VIEW_LINKS)
def links(campaign_id: int, school_id: int):
    found = _campaign(campaign_id, Action.VIEW_LINKS)
    school = _school_of(found, school_id, Action.VIEW_LINKS)
    live = link_service.ensure_links(db.session, current_user.id, found, school)
    db.session.commit()
    base = _base_url()
    languages = sorted(
        {
            lang
            for q in found.questionnaires
            for lang in locale.offer().questionnaire(q.questionnaire_id)
        },
        key=lambda code: (code != "de", code),
    )
    shown = []
    for audience, link in live.items():
        language = _link_language(found, audience)
        shown.append(
            {
                "audience": audience,
                "url": link_service.full_url(base, link.token, language),
                "short": link_service.short_url(base, link.token),
                "language": language,
            }
        )
    return render_template(
        "distribution/links.html",
        campaign=found,
        school=school,
        links=shown,
        languages=languages,
        chosen=request.args.get("lang") if request.args.get("lang") in languages else None,
        may_manage=can(current_user, Action.MANAGE_LINKS, school),
    )


def _live_link(campaign: Campaign, school: School, audience: str) -> Link:
    link = link_service.live_links(db.session, campaign, school).get(audience)
    if link is None:
        abort(404)
    return link


@bp.post("/kampagnen/<int:campaign_id>/schulen/<int:school_id>/links/<audience>/widerrufen")
@requires(Action.MANAGE_LINKS)
def link_revoke(campaign_id: int, school_id: int, audience: str):
    found = _campaign(campaign_id, Action.MANAGE_LINKS)
    school = _school_of(found, school_id, Action.MANAGE_LINKS)
    link = link_service.live_links(db.session, found, school).get(audience)
    if link is None:  # already revoked (a second click, another tab)
        flash(_("Für diese Zielgruppe gibt es gerade keinen gültigen Link."), "notice")
    else:
        link_service.revoke(db.session, current_user.id, link)
        db.session.commit()
        flash(
            _("Der Link gilt nicht mehr. Ein neuer entsteht, wenn Sie die Seite neu laden."),
            "notice",
        )
    return redirect(url_for(".links", campaign_id=found.id, school_id=school.id))


@bp.post("/kampagnen/<int:campaign_id>/schulen/<int:school_id>/links/<audience>/neu")
@requires(Action.MANAGE_LINKS)
def link_regenerate(campaign_id: int, school_id: int, audience: str):
    found = _campaign(campaign_id, Action.MANAGE_LINKS)
    school = _school_of(found, school_id, Action.MANAGE_LINKS)
    if audience not in AUDIENCES or found.questionnaire_for(audience) is None:
        abort(404)
    link_service.regenerate(db.session, current_user.id, found, school, audience)
    db.session.commit()
    flash(
        _(
            "Ein neuer Link ist erstellt; der alte gilt nicht mehr. Wer schon angefangen hat, "
            "kann noch abschließen."
        ),
        "notice",
    )
    return redirect(url_for(".links", campaign_id=found.id, school_id=school.id))


def _qr(campaign_id: int, school_id: int, audience: str) -> str:
    found = _campaign(campaign_id, Action.VIEW_LINKS)
    school = _school_of(found, school_id, Action.VIEW_LINKS)
    link = _live_link(found, school, audience)
    return link_service.full_url(_base_url(), link.token, _link_language(found, audience))


def _download_name(campaign_id: int, school_id: int, audience: str, suffix: str) -> str:
    language = request.args.get("lang", "")
    school = db.session.get(School, school_id)
    number = school.number if school else str(school_id)
    parts = ["qr", number, audience] + ([language] if language.isalpha() else [])
    return "-".join(parts) + suffix


@bp.get("/kampagnen/<int:campaign_id>/schulen/<int:school_id>/links/<audience>/qr.svg")
@requires(Action.VIEW_LINKS)
def qr_svg(campaign_id: int, school_id: int, audience: str):
    url = _qr(campaign_id, school_id, audience)
    headers = {"Cache-Control": "no-store"}
    if request.args.get("download"):
        name = _download_name(campaign_id, school_id, audience, ".svg")
        headers["Content-Disposition"] = f"attachment; filename={name}"
    return Response(link_service.qr_svg(url), mimetype="image/svg+xml", headers=headers)


@bp.get("/kampagnen/<int:campaign_id>/schulen/<int:school_id>/links/<audience>/qr.png")
@requires(Action.VIEW_LINKS)
def qr_png(campaign_id: int, school_id: int, audience: str):
    url = _qr(campaign_id, school_id, audience)
    name = _download_name(campaign_id, school_id, audience, ".png")
    return Response(
        link_service.qr_png(url),
        mimetype="image/png",
        headers={
            "Content-Disposition": f"attachment; filename={name}",
            "Cache-Control": "no-store",
        },
    )


# --- field-phase dashboard --------------------------------------------------------------


@bp.get("/kampagnen/<int:campaign_id>/feldphase")
@requires(Action.VIEW_DASHBOARD)
def dashboard(campaign_id: int):
    found = _campaign(campaign_id, Action.VIEW_DASHBOARD)
    sort = request.args.get("sort", "rate")
    if sort not in dashboard_service.SORTS:
        sort = "rate"
    scope = school_scope(current_user)
    hide_below = int(current_app.config["MIN_GROUP_SIZE"]) if scope is not None else None
    board = dashboard_service.build(db.session, found, scope, hide_below, sort)
    return render_template(
        "distribution/dashboard.html", board=board, sort=sort, sorts=dashboard_service.SORTS
    )
