"""Places: municipality -> districts -> schools, imported from CSV or XLSX.

Import is two steps: ``plan_import`` reads the file and says what would be added,
changed and left alone, with one line per bad row; it writes nothing.
``apply_import`` writes a plan that has no bad rows. Schools are matched by their
Schulnummer, so importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from survey.core import audit
from survey.core.errors import InvalidInput
from survey.core.permissions import User, school_scope
from survey.distribution.models import District, Municipality, School, SchoolType

#: column key -> the header expected in the file (German, as in the template)
COLUMNS = {
    "number": "Schulnummer",
    "name": "Name",
    "school_type": "Schulform",
    "sozialindex": "Sozialindex",
    "district": "Sozialraum",
    "municipality": "Kommune",
}
REQUIRED = ("number", "name", "school_type", "district", "municipality")
#: other spellings people use for the same column
ALIASES = {
    "schul-nr": "number",
    "schulnr": "number",
    "schul-nr.": "number",
    "schulname": "name",
    "schultyp": "school_type",
    "schulart": "school_type",
    "stadtteil": "district",
    "bezirk": "district",
    "gemeinde": "municipality",
    "stadt": "municipality",
}
TYPE_SPELLINGS = {t.value.lower(): t.value for t in SchoolType} | {
    "sonstige": SchoolType.OTHER.value,
    "other": SchoolType.OTHER.value,
    "foerderschule": SchoolType.FOERDERSCHULE.value,
    "forderschule": SchoolType.FOERDERSCHULE.value,
}
SIX_DIGITS = re.compile(r"^\d{6}$")
MAX_ROWS = 5000
TEMPLATE_ROWS = [
    ["123456", "Grundschule Am Beispiel", "Grundschule", "6", "Nordstadt", "Musterstadt"],
    ["234567", "Gesamtschule Musterweg", "Gesamtschule", "", "Südviertel", "Musterstadt"],
]


@dataclass(frozen=True)
class SchoolRow:
    number: str
    name: str
    school_type: str
    sozialindex: int | None
    district: str
    municipality: str


@dataclass(frozen=True)
class BadRow:
    row: int
    #: (column header, problem) pairs, in column order
    problems: tuple[tuple[str, str], ...]

    def line(self) -> str:
        parts = "; ".join(f"{column}: {problem}" for column, problem in self.problems)
        return _("Zeile %(row)d: %(problems)s", row=self.row, problems=parts)


@dataclass
class ImportPlan:
    added: list[SchoolRow] = field(default_factory=list)
    #: (row, what changes in words)
    changed: list[tuple[SchoolRow, list[str]]] = field(default_factory=list)
    unchanged: list[SchoolRow] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.bad

    @property
    def writes(self) -> bool:
        return bool(self.added or self.changed)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # Excel keeps numbers as floats
        value = int(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def read_rows(filename: str, data: bytes) -> list[list[str]]:
    """The cells of the first sheet (XLSX) or of the CSV, as trimmed text."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not XLSX
            raise InvalidInput(
                _("Die Datei lässt sich nicht als Excel-Datei (XLSX) lesen."), "file"
            ) from None
        sheet = book.worksheets[0]
        rows = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
        return rows
    if name.endswith(".csv") or name.endswith(".txt"):
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") >= first.count(",") else ","
        if "\t" in first and first.count("\t") > first.count(delimiter):
            delimiter = "\t"
        return [
            [c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)
        ]
    raise InvalidInput(_("Bitte laden Sie eine CSV- oder XLSX-Datei hoch."), "file")


def _header_map(header: list[str]) -> dict[str, int]:
    known = {v.lower(): k for k, v in COLUMNS.items()} | ALIASES
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = known.get(cell.strip().lower())
        if key and key not in found:
            found[key] = index
    missing = [COLUMNS[k] for k in REQUIRED if k not in found]
    if missing:
        raise InvalidInput(
            _(
                "In der ersten Zeile fehlen diese Spalten: %(columns)s. Die Vorlage zeigt, "
                "wie die Datei aussehen soll.",
                columns=", ".join(missing),
            ),
            "file",
        )
    return found


def parse(filename: str, data: bytes) -> tuple[list[tuple[int, SchoolRow]], list[BadRow]]:
    rows = read_rows(filename, data)
    while rows and not any(rows[0]):
        rows.pop(0)
    if not rows:
        raise InvalidInput(_("Die Datei ist leer."), "file")
    columns = _header_map(rows[0])
    if len(rows) - 1 > MAX_ROWS:
        raise InvalidInput(_("Die Datei hat mehr als %(num)d Zeilen.", num=MAX_ROWS), "file")
    good: list[tuple[int, SchoolRow]] = []
    bad: list[BadRow] = []
    seen: dict[str, int] = {}
    for offset, cells in enumerate(rows[1:], start=2):
        if not any(cells):
            continue

        def cell(key: str, cells=cells) -> str:
            index = columns.get(key)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        problems: list[tuple[str, str]] = []
        number = cell("number")
        if not number:
            problems.append((COLUMNS["number"], _("fehlt")))
        elif not SIX_DIGITS.match(number):
            problems.append(
                (
                    COLUMNS["number"],
                    _("„%(value)s“ hat nicht genau sechs Ziffern", value=number[:20]),
                )
            )
        elif number in seen:
            problems.append(
                (COLUMNS["number"], _("steht schon in Zeile %(row)d", row=seen[number]))
            )
        name = cell("name")
        if not name:
            problems.append((COLUMNS["name"], _("fehlt")))
        elif len(name) > 200:
            problems.append((COLUMNS["name"], _("ist länger als 200 Zeichen")))
        raw_type = cell("school_type")
        school_type = TYPE_SPELLINGS.get(raw_type.lower())
        if not raw_type:
            problems.append((COLUMNS["school_type"], _("fehlt")))
        elif school_type is None:
            problems.append(
                (
                    COLUMNS["school_type"],
                    _(
                        "„%(value)s“ ist keine bekannte Schulform (erlaubt: %(allowed)s)",
                        value=raw_type[:40],
                        allowed=", ".join(t.value for t in SchoolType),
                    ),
                )
            )
        raw_index = cell("sozialindex")
        sozialindex = None
        if raw_index:
            if raw_index.isdigit() and 1 <= int(raw_index) <= 9:
                sozialindex = int(raw_index)
            else:
                problems.append(
                    (
                        COLUMNS["sozialindex"],
                        _("„%(value)s“ ist keine ganze Zahl von 1 bis 9", value=raw_index[:20]),
                    )
                )
        district, municipality = cell("district"), cell("municipality")
        for key, value in (("district", district), ("municipality", municipality)):
            if not value:
                problems.append((COLUMNS[key], _("fehlt")))
            elif len(value) > 200:
                problems.append((COLUMNS[key], _("ist länger als 200 Zeichen")))
        if problems:
            bad.append(BadRow(offset, tuple(problems)))
            continue
        seen[number] = offset
        good.append(
            (
                offset,
                SchoolRow(number, name, school_type or "", sozialindex, district, municipality),
            )
        )
    return good, bad


def plan_import(session: Session, filename: str, data: bytes) -> ImportPlan:
    """What importing this file would do. Reads only."""
    good, bad = parse(filename, data)
    plan = ImportPlan(bad=bad)
    numbers = [row.number for _offset, row in good]
    existing = {
        s.number: s
        for s in session.scalars(
            select(School)
            .where(School.number.in_(numbers))
            .options(selectinload(School.district).selectinload(District.municipality))
        )
    }
    for _offset, row in good:
        school = existing.get(row.number)
        if school is None:
            plan.added.append(row)
            continue
        changes = _differences(school, row)
        if changes:
            plan.changed.append((row, changes))
        else:
            plan.unchanged.append(row)
    return plan


def _differences(school: School, row: SchoolRow) -> list[str]:
    changes = []
    before = {
        COLUMNS["name"]: school.name,
        COLUMNS["school_type"]: school.school_type,
        COLUMNS["sozialindex"]: "" if school.sozialindex is None else str(school.sozialindex),
        COLUMNS["district"]: school.district.name,
        COLUMNS["municipality"]: school.district.municipality.name,
    }
    after = {
        COLUMNS["name"]: row.name,
        COLUMNS["school_type"]: row.school_type,
        COLUMNS["sozialindex"]: "" if row.sozialindex is None else str(row.sozialindex),
        COLUMNS["district"]: row.district,
        COLUMNS["municipality"]: row.municipality,
    }
    for column, old in before.items():
        if old != after[column]:
            changes.append(f"{column}: {old or '–'} → {after[column] or '–'}")
    return changes


def _district(session: Session, municipality_name: str, district_name: str) -> District:
    municipality = session.scalar(
        select(Municipality).where(Municipality.name == municipality_name)
    )
    if municipality is None:
        municipality = Municipality(name=municipality_name)
        session.add(municipality)
        session.flush()
    district = session.scalar(
        select(District).where(
            District.municipality_id == municipality.id, District.name == district_name
        )
    )
    if district is None:
        district = District(municipality_id=municipality.id, name=district_name)
        session.add(district)
        session.flush()
    return district


def apply_import(session: Session, actor_id: int | None, plan: ImportPlan, filename: str) -> None:
    """Write a plan without bad rows (added and changed schools); flushes, caller commits."""
    if not plan.ok:
        raise InvalidInput(_("Die Datei hat fehlerhafte Zeilen; es wurde nichts übernommen."))
    for row in plan.added:
        district = _district(session, row.municipality, row.district)
        session.add(
            School(
                number=row.number,
                name=row.name,
                school_type=row.school_type,
                sozialindex=row.sozialindex,
                district_id=district.id,
            )
        )
    for row, _changes in plan.changed:
        school = session.scalar(select(School).where(School.number == row.number))
        assert school is not None
        school.name, school.school_type, school.sozialindex = (
            row.name,
            row.school_type,
            row.sozialindex,
        )
        school.district_id = _district(session, row.municipality, row.district).id
    if plan.writes:
        audit.record(
            session,
            actor_id,
            "places.import",
            filename[:100],
            f"{len(plan.added)} neu, {len(plan.changed)} geändert, {len(plan.unchanged)} gleich",
        )
    session.flush()


def template_csv() -> bytes:
    """The import template for Excel users: UTF-8 with BOM, semicolons."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS.values())
    writer.writerows(TEMPLATE_ROWS)
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Schulen"
    sheet.append(list(COLUMNS.values()))
    for row in TEMPLATE_ROWS:
        sheet.append(row)
    for column in ("A", "B", "C", "D", "E", "F"):
        sheet.column_dimensions[column].width = 24
    # Schulnummer as text, so Excel keeps six digits as typed.
    for (cell,) in sheet.iter_rows(min_row=2, max_row=200, min_col=1, max_col=1):
        cell.number_format = "@"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- reading and editing places in the web area --------------------------------------


def visible_schools(session: Session, user: User) -> list[School]:
    query = (
        select(School)
        .options(selectinload(School.district).selectinload(District.municipality))
        .order_by(School.number)
    )
    scope = school_scope(user)
    if scope is not None:
        query = query.where(School.id.in_(scope))
    return list(session.scalars(query))


def districts(session: Session) -> list[District]:
    return list(
        session.scalars(
            select(District)
            .options(selectinload(District.municipality))
            .order_by(District.municipality_id, District.name)
        )
    )


def save_school(
    session: Session,
    actor_id: int | None,
    school: School | None,
    number: str,
    name: str,
    school_type: str,
    sozialindex: int | None,
    district_id: int,
) -> School:
    number = number.strip()
    if not SIX_DIGITS.match(number):
        raise InvalidInput(_("Die Schulnummer hat genau sechs Ziffern."), "number")
    other = session.scalar(select(School).where(School.number == number))
    if other is not None and other is not school:
        raise InvalidInput(_("Diese Schulnummer hat schon eine andere Schule."), "number")
    if school_type not in {t.value for t in SchoolType}:
        raise InvalidInput(_("Bitte wählen Sie eine Schulform."), "school_type")
    if sozialindex is not None and not 1 <= sozialindex <= 9:
        raise InvalidInput(_("Der Sozialindex liegt zwischen 1 und 9."), "sozialindex")
    if session.get(District, district_id) is None:
        raise InvalidInput(_("Bitte wählen Sie einen Sozialraum."), "district_id")
    if school is None:
        school = School(number=number)
        session.add(school)
    school.number, school.name, school.school_type = number, name.strip(), school_type
    school.sozialindex, school.district_id = sozialindex, district_id
    session.flush()
    audit.record(session, actor_id, "places.edit", f"Schule {number}")
    return school


def add_district(session: Session, actor_id: int | None, municipality: str, name: str) -> District:
    if not municipality.strip() or not name.strip():
        raise InvalidInput(_("Bitte geben Sie Kommune und Sozialraum an."), "name")
    district = _district(session, municipality.strip(), name.strip())
    audit.record(session, actor_id, "places.edit", f"Sozialraum {district.name}")
    return district
