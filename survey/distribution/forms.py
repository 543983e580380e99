"""Forms of the places, campaign and link pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from survey.distribution.labels import SCHOOL_TYPE_LABELS
from survey.distribution.models import SchoolType


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ImportForm(FlaskForm):
    file = FileField(_l("Datei (CSV oder XLSX)"), validators=[FileRequired()])


class ConfirmImportForm(FlaskForm):
    filename = HiddenField(validators=[DataRequired(), Length(max=200)])
    #: the uploaded file again (base64): nothing is kept on the server between the steps
    content = HiddenField(validators=[DataRequired(), Length(max=400_000)])


class SchoolForm(FlaskForm):
    number = StringField(_l("Schulnummer"), validators=[DataRequired(), Length(min=6, max=6)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    school_type = SelectField(_l("Schulform"), validators=[DataRequired()])
    sozialindex = IntegerField(
        _l("Sozialindex (1 bis 9, leer wenn unbekannt)"),
        validators=[Optional(), NumberRange(min=1, max=9)],
    )
    district_id = SelectField(_l("Sozialraum"), coerce=int, validators=[DataRequired()])

    def __init__(self, *args, districts=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.school_type.choices = [(t.value, str(SCHOOL_TYPE_LABELS[t.value])) for t in SchoolType]
        self.district_id.choices = [(d.id, f"{d.name} ({d.municipality.name})") for d in districts]


class DistrictForm(FlaskForm):
    municipality = StringField(_l("Kommune"), validators=[DataRequired(), Length(max=200)])
    name = StringField(
        _l("Sozialraum oder Stadtteil"), validators=[DataRequired(), Length(max=200)]
    )


class CampaignForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Kurzname (für Adressen, z. B. herbst-2026)"),
        validators=[DataRequired(), Length(max=60)],
    )
    municipality_id = SelectField(_l("Kommune"), coerce=int, validators=[DataRequired()])
    families = SelectField(_l("Fragebogen für Familien"), validators=[Optional()])
    staff = SelectField(_l("Fragebogen für Schulpersonal"), validators=[Optional()])
    children = SelectField(_l("Fragebogen für Kinder"), validators=[Optional()])
    partners = SelectField(_l("Fragebogen für Partner im Stadtteil"), validators=[Optional()])
    opens_on = DateField(_l("Beginn"), validators=[Optional()])
    closes_on = DateField(_l("Ende"), validators=[Optional()])
    school_ids = CheckboxList(_l("Schulen"), coerce=int, validators=[Optional()])
    school_contact = StringField(
        _l("Ansprechperson für Kinder an der Schule (z. B. „die Schulsozialarbeit in Raum 12“)"),
        validators=[Optional(), Length(max=200)],
    )

    AUDIENCE_FIELDS = ("families", "staff", "children", "partners")

    def __init__(self, *args, municipalities=(), questionnaires=(), schools=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.municipality_id.choices = [(m.id, m.name) for m in municipalities]
        for audience in self.AUDIENCE_FIELDS:
            getattr(self, audience).choices = [("", _l("— nicht befragt —"))] + [
                (q.id, f"{q.title} ({q.id})") for q in questionnaires if q.audience == audience
            ]
        self.school_ids.choices = [(s.id, f"{s.number} {s.name}") for s in schools]


class ExpectedForm(FlaskForm):
    families = IntegerField(
        _l("Familien"), validators=[Optional(), NumberRange(min=0, max=100_000)]
    )
    staff = IntegerField(
        _l("Schulpersonal"), validators=[Optional(), NumberRange(min=0, max=100_000)]
    )
    children = IntegerField(_l("Kinder"), validators=[Optional(), NumberRange(min=0, max=100_000)])
    partners = IntegerField(
        _l("Partner im Stadtteil"), validators=[Optional(), NumberRange(min=0, max=100_000)]
    )


class OutlineForm(FlaskForm):
    file = FileField(_l("Datei (GeoJSON)"), validators=[FileRequired()])
    municipality_id = SelectField(_l("Kommune"), coerce=int, validators=[DataRequired()])
    property_name = StringField(
        _l("Eigenschaft mit dem Namen des Sozialraums"),
        default="name",
        validators=[Optional(), Length(max=60)],
    )

    def __init__(self, *args, municipalities=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.municipality_id.choices = [(m.id, m.name) for m in municipalities]
