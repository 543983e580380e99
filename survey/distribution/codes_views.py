"""Staff pages for one-time access codes: per campaign and school, each audience's codes
switched on or off, batches issued (the slip sheet PDF is the answer: the codes are not
kept), batches and single codes revoked. Analysts and admins only (``MANAGE_CODES``)."""

from __future__ import annotations

import io

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
from flask_login import current_user

from survey.core import clock
from survey.core.errors import InvalidInput
from survey.core.permissions import Action, require, requires
from survey.distribution import codes
from survey.distribution.models import AUDIENCES, AccessCodeBatch, Campaign, School
from survey.extensions import db
from survey.i18n.locale import native_name, offer
from survey.paper.services import school_key
from survey.paper.slips import slip_file_name

bp = Blueprint("codes", __name__, template_folder="templates")

_BASE = "/kampagnen/<int:campaign_id>/schulen/<int:school_id>/codes"


def _place(campaign_id: int, school_id: int) -> tuple[Campaign, School]:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    require(current_user, Action.MANAGE_CODES, campaign)
    school = next((s for s in campaign.schools if s.id == school_id), None)
    if school is None:
        abort(404)
    require(current_user, Action.MANAGE_CODES, school)
    return campaign, school


def _audience(campaign: Campaign, audience: str) -> str:
    if audience not in AUDIENCES or campaign.questionnaire_for(audience) is None:
        abort(404)
    return audience


def _back(campaign: Campaign, school: School):
    return redirect(url_for(".page", campaign_id=campaign.id, school_id=school.id))


@bp.get(_BASE)
@requires(Action.MANAGE_CODES)
def page(campaign_id: int, school_id: int):
    campaign, school = _place(campaign_id, school_id)
    audiences = [a for a in AUDIENCES if campaign.questionnaire_for(a)]
    counts = codes.counts(db.session, campaign.id, [school.id])
    return render_template(
        "distribution/codes.html",
        campaign=campaign,
        school=school,
        audiences=audiences,
        counts={a: counts.get((school.id, a), codes.Counts()) for a in audiences},
        batches={a: codes.batches(db.session, campaign, school, a) for a in audiences},
        languages=[(code, native_name(code)) for code in offer().ui()],
        max_batch=codes.MAX_BATCH,
    )


@bp.post(_BASE + "/<audience>/schalten")
@requires(Action.MANAGE_CODES)
def switch(campaign_id: int, school_id: int, audience: str):
    campaign, school = _place(campaign_id, school_id)
    on = request.form.get("on") == "1"
    codes.switch(db.session, current_user.id, campaign, school, _audience(campaign, audience), on)
    db.session.commit()
    if on:
        flash(_("Zugangscodes sind eingeschaltet: Der Link fragt jetzt nach einem Code."), "notice")
    else:
        flash(_("Zugangscodes sind ausgeschaltet: Der Link ist wieder für alle offen."), "notice")
    return _back(campaign, school)


@bp.post(_BASE + "/<audience>/ausgeben")
@requires(Action.MANAGE_CODES)
def issue(campaign_id: int, school_id: int, audience: str):
    """Issue a batch; the answer is its slip sheet (the only copy of the codes)."""
    campaign, school = _place(campaign_id, school_id)
    audience = _audience(campaign, audience)
    try:
        count = int(request.form.get("count", "").strip() or "0")
    except ValueError:
        count = 0
    wanted = [lang for lang in ("de", request.form.get("lang", "")) if lang]
    wanted = list(dict.fromkeys(wanted))
    buffer = io.BytesIO()
    try:
        chosen = codes.slip_languages(wanted, offer().ui())
        issued = codes.issue(
            db.session,
            current_user.id,
            campaign,
            school,
            audience,
            count,
            current_app.config["SECRET_KEY"],
            clock.today(),
        )
        codes.print_batch(
            buffer,
            db.session,
            current_user.id,
            issued,
            campaign,
            school,
            current_app.config["BASE_URL"],
            chosen,
        )
    except InvalidInput as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _back(campaign, school)
    db.session.commit()
    name = slip_file_name(school_key(school), audience, issued.batch.id)
    return Response(
        buffer.getvalue(),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename={name}",
            "Cache-Control": "no-store",
        },
    )


@bp.post(_BASE + "/stapel/<int:batch_id>/widerrufen")
@requires(Action.MANAGE_CODES)
def revoke_batch(campaign_id: int, school_id: int, batch_id: int):
    campaign, school = _place(campaign_id, school_id)
    batch = db.session.get(AccessCodeBatch, batch_id)
    if batch is None or batch.campaign_id != campaign.id or batch.school_id != school.id:
        abort(404)
    count = codes.revoke_batch(db.session, current_user.id, batch)
    db.session.commit()
    flash(_("%(num)d Codes dieses Stapels gelten nicht mehr.", num=count), "notice")
    return _back(campaign, school)


@bp.post(_BASE + "/<audience>/code-widerrufen")
@requires(Action.MANAGE_CODES)
def revoke_code(campaign_id: int, school_id: int, audience: str):
    campaign, school = _place(campaign_id, school_id)
    audience = _audience(campaign, audience)
    try:
        codes.revoke_code(
            db.session,
            current_user.id,
            campaign,
            school,
            audience,
            request.form.get("code", "")[:40],
            current_app.config["SECRET_KEY"],
        )
    except InvalidInput as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Der Code gilt nicht mehr."), "notice")
    return _back(campaign, school)
