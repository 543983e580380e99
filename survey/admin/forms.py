"""Forms of the admin area; labels are translated when the form is built."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from survey.core.permissions import Role


def role_choices() -> list[tuple[str, str]]:
    return [
        (Role.ADMIN.value, str(_l("Administration"))),
        (Role.ANALYST.value, str(_l("Analyse (Projektteam)"))),
        (Role.COORDINATOR.value, str(_l("Koordination an einer Schule"))),
    ]


class SignInForm(FlaskForm):
    email = EmailField(_l("E-Mail-Adresse"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Passwort"), validators=[DataRequired(), Length(max=1000)])


class PasswordForm(FlaskForm):
    current = PasswordField(
        _l("Bisheriges Passwort"), validators=[DataRequired(), Length(max=1000)]
    )
    password = PasswordField(_l("Neues Passwort"), validators=[DataRequired(), Length(max=1000)])
    repeat = PasswordField(
        _l("Neues Passwort wiederholen"), validators=[DataRequired(), Length(max=1000)]
    )


class AccountForm(FlaskForm):
    email = EmailField(_l("E-Mail-Adresse"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Rolle"), validators=[DataRequired()])
    schools = StringField(
        _l("Schulnummern (nur für die Koordination, durch Komma getrennt)"),
        validators=[Optional(), Length(max=2000)],
    )
    password = PasswordField(_l("Erstes Passwort"), validators=[DataRequired(), Length(max=1000)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class RoleForm(FlaskForm):
    role = SelectField(_l("Rolle"), validators=[DataRequired()])
    schools = StringField(
        _l("Schulnummern (nur für die Koordination, durch Komma getrennt)"),
        validators=[Optional(), Length(max=2000)],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    action = SelectField(_l("Aktion"), validators=[Optional()])
    actor = StringField(_l("Konto (E-Mail)"), validators=[Optional(), Length(max=254)])
    since = DateField(_l("von"), validators=[Optional()])
    until = DateField(_l("bis"), validators=[Optional()])
