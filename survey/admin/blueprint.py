"""Routes of the admin area: start page, sign-in and out, own password, accounts, audit log.

Views parse, check permission (declared with ``@requires``; the gate in
``survey.admin.auth`` enforces it), call one service, commit once, render.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from survey.admin import audit as audit_read
from survey.admin import services
from survey.admin.auth import SEEN
from survey.admin.forms import AccountForm, AuditFilterForm, PasswordForm, RoleForm, SignInForm
from survey.admin.models import Account
from survey.core import audit, clock
from survey.core.audit import ACTIONS
from survey.core.errors import InvalidInput
from survey.core.permissions import Action, public, requires
from survey.core.ratelimit import keyed_hash
from survey.distribution import campaigns
from survey.extensions import db, limiter

bp = Blueprint("admin", __name__, template_folder="templates")


def _signin_account_key() -> str:
    """Failed sign-ins count per account too, keyed by a hash of the typed address."""
    typed = services.normalise_email(request.form.get("email", ""))[:254]
    return "acct:" + keyed_hash("account:" + typed)


def _failed(response) -> bool:
    return response.status_code == 401


def _limit(setting: str):
    return lambda: current_app.config[setting]


def _field_error(form, error: InvalidInput) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))


@bp.get("/")
@public
def start():
    if not current_user.is_authenticated:
        return redirect(url_for(".signin"))
    if current_user.must_change_password:
        return redirect(url_for(".password"))
    return render_template(
        "admin/start.html", campaigns=campaigns.visible_campaigns(db.session, current_user)
    )


@bp.route("/anmelden", methods=["GET", "POST"])
@public
@limiter.limit(_limit("SIGNIN_LIMIT_PER_ADDRESS"), methods=["POST"], deduct_when=_failed)
@limiter.limit(
    _limit("SIGNIN_LIMIT_PER_ACCOUNT"),
    key_func=_signin_account_key,
    methods=["POST"],
    deduct_when=_failed,
)
def signin():
    form = SignInForm()
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for(".start"))
    if not form.validate_on_submit():
        return render_template("admin/signin.html", form=form), 422 if form.errors else 200
    config = current_app.config
    try:
        account = services.authenticate(
            db.session,
            form.email.data or "",
            form.password.data or "",
            datetime.now(UTC),
            int(config["SIGNIN_LOCK_AFTER"]),
            int(config["SIGNIN_LOCK_MINUTES"]),
        )
    except services.SignInFailed:
        db.session.commit()  # the failure counts and is audited
        form.form_errors.append(
            _(
                "E-Mail-Adresse oder Passwort stimmen nicht, oder das Konto ist vorübergehend "
                "gesperrt. Bitte versuchen Sie es später noch einmal."
            )
        )
        form.password.data = ""
        return render_template("admin/signin.html", form=form), 401
    db.session.commit()
    _begin(account)
    if account.must_change_password:
        return redirect(url_for(".password"))
    return redirect(url_for(".start"))


def _begin(account: Account) -> None:
    session.clear()  # a fresh session: nothing from before the sign-in carries over
    login_user(account)
    session[SEEN] = int(time.time())


@bp.post("/abmelden")
@public
def signout():
    if current_user.is_authenticated:
        audit.record(db.session, current_user.id, "signout", f"Konto {current_user.email}")
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("Sie sind abgemeldet."), "notice")
    return redirect(url_for(".signin"))


@bp.route("/konto/passwort", methods=["GET", "POST"])
@requires(Action.SIGNED_IN)
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        if form.password.data != form.repeat.data:
            form.repeat.errors = [_("Die beiden neuen Passwörter sind nicht gleich.")]
        else:
            try:
                services.change_password(
                    db.session, current_user, form.current.data or "", form.password.data or ""
                )
            except InvalidInput as error:
                db.session.rollback()
                _field_error(form, error)
            else:
                db.session.commit()
                _begin(current_user)
                flash(_("Ihr neues Passwort gilt ab sofort."), "notice")
                return redirect(url_for(".start"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("admin/password.html", form=form), status


@bp.get("/admin/konten")
@requires(Action.MANAGE_ACCOUNTS)
def accounts():
    return render_template("admin/accounts.html", accounts=services.list_accounts(db.session))


@bp.route("/admin/konten/neu", methods=["GET", "POST"])
@requires(Action.MANAGE_ACCOUNTS)
def account_new():
    form = AccountForm()
    if form.validate_on_submit():
        try:
            schools = services.schools_by_number(db.session, (form.schools.data or "").split(","))
            services.create_account(
                db.session,
                current_user.id,
                form.email.data or "",
                form.role.data or "",
                form.password.data or "",
                schools,
                clock.today(),
                must_change_password=True,
            )
        except InvalidInput as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(
                _("Das Konto ist angelegt. Beim ersten Anmelden wird ein neues Passwort gewählt."),
                "notice",
            )
            return redirect(url_for(".accounts"))
    form.password.data = ""
    status = 422 if form.errors or form.form_errors else 200
    return render_template("admin/account_new.html", form=form), status


def _account_or_404(account_id: int) -> Account:
    account = db.session.get(Account, account_id)
    if account is None:
        abort(404)
    return account


@bp.route("/admin/konten/<int:account_id>", methods=["GET", "POST"])
@requires(Action.MANAGE_ACCOUNTS)
def account(account_id: int):
    account = _account_or_404(account_id)
    form = (
        RoleForm(
            data={"role": account.role, "schools": ", ".join(s.number for s in account.schools)}
        )
        if request.method == "GET"
        else RoleForm()
    )
    if form.validate_on_submit():
        try:
            schools = services.schools_by_number(db.session, (form.schools.data or "").split(","))
            services.set_role(db.session, current_user.id, account, form.role.data or "", schools)
        except InvalidInput as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Gespeichert."), "notice")
            return redirect(url_for(".account", account_id=account.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("admin/account.html", account=account, form=form), status


@bp.post("/admin/konten/<int:account_id>/sperren")
@requires(Action.MANAGE_ACCOUNTS)
def account_disable(account_id: int):
    return _set_active(account_id, False)


@bp.post("/admin/konten/<int:account_id>/entsperren")
@requires(Action.MANAGE_ACCOUNTS)
def account_enable(account_id: int):
    return _set_active(account_id, True)


def _set_active(account_id: int, active: bool):
    account = _account_or_404(account_id)
    try:
        services.set_active(db.session, current_user.id, account, active)
    except InvalidInput as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(
            _("Das Konto ist wieder aktiv.") if active else _("Das Konto ist gesperrt."), "notice"
        )
    return redirect(url_for(".account", account_id=account.id))


@bp.post("/admin/konten/<int:account_id>/passwort")
@requires(Action.MANAGE_ACCOUNTS)
def account_reset(account_id: int):
    account = _account_or_404(account_id)
    temporary = services.reset_password(db.session, current_user.id, account)
    db.session.commit()
    # Shown once, on this page only; never stored in clear, never logged.
    return render_template("admin/reset_done.html", account=account, temporary=temporary)


@bp.get("/admin/protokoll")
@requires(Action.VIEW_AUDIT)
def audit_log():
    form = AuditFilterForm(request.args)
    form.action.choices = [("", _("alle"))] + [(a, a) for a in ACTIONS]
    rows = []
    if form.validate():
        rows = audit_read.entries(
            db.session,
            action=form.action.data or None,
            actor=form.actor.data or None,
            since=form.since.data,
            until=form.until.data,
        )
    status = 422 if form.errors else 200
    return render_template("admin/audit.html", form=form, rows=rows), status
