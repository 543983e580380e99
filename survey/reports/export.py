"""The anonymised response data for analysts and admins: one row per response, one
column per question variable, integer codes, with a codebook.

What goes out, and why (``../shared/DESIGN.md``, Anonymity):

- **No response id, no date, no version.** A row is only its answers and where it
  belongs. The day of submission is left out although it is stored: next to a school it
  is exactly what a teacher who saw a parent answer at the gate could line up.
- **Rows in random order.** Responses are read in the order of their random ids (UUID4:
  unrelated to the order of submission) and shuffled again within each chunk, so neither
  the database's physical order nor the time of submission shows.
- **The place at the questionnaire's report level.** A file is built for one level
  (the questionnaire's ``report_level`` unless a higher one is asked for): schools for
  families, staff and children, districts for partners. Background variables that the
  questionnaire marks ``identifying`` are exported only in a file whose level their
  marker allows (home language and years in Germany at district level, not beside the
  school); the answer language is identifying at the report level and is kept there.
  In a table these markers forbid crossing two of them; a data file for analysts
  cannot avoid crossing, which is why it stays with analysts and admins, every
  download is audit-logged, and the finest place a marker forbids is never in it.
- **Free text** is for analysts (DESIGN.md), scrubbed again here, and left empty for a
  unit with fewer than ``k`` responses of the audience (there it could name a person
  whose few neighbours' answers sit in the same rows).

Memory: responses are read in chunks of ``CHUNK`` (keyset pagination on the random id),
so CSV and XLSX stay flat however large the campaign. SPSS and Stata files are written
by pyreadstat from one data frame: their memory grows with responses x columns (8 bytes
a cell), which the benchmark reports.
"""

from __future__ import annotations

import csv
import io
import random
import secrets
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.core.errors import SurveyError
from survey.core.scrub import scrub
from survey.core.suppress import LEVELS
from survey.distribution.models import Campaign, District, Municipality, School
from survey.questionnaires.codebook import rows as codebook_rows
from survey.questionnaires.definition import Questionnaire
from survey.questionnaires.model import LANGUAGE_VARIABLE
from survey.reports.outputs import neutralise
from survey.reports.services import CampaignStillOpen, CampaignUnknown
from survey.respond.models import Answer, Response

FORMATS = ("csv", "xlsx", "sav", "dta")
CHUNK = 1000
#: Stata's longest fixed-width string (bytes); longer texts are cut there
DTA_STRING_BYTES = 2045
_EPOCH = datetime(2000, 1, 1)
TICK_LABELS = {0: "nicht gewählt", 1: "gewählt"}
CODEBOOK_COLUMNS = ("variable", "question", "type", "values", "notes")


class NothingToExport(CampaignUnknown):
    """The campaign has no questionnaire for the audience asked for."""


class LevelTooLow(SurveyError):
    """A file below the questionnaire's report level would show what reports never do."""


@dataclass(frozen=True)
class Column:
    name: str
    #: the question text (variable label)
    label: str
    #: the question type, or "place" / "language" for where a response belongs
    type: str
    #: code -> label (value labels); empty for numbers, texts and places
    values: Mapping[int, str] = field(default_factory=dict)
    #: how the value is read: place, language, code, tick (multiple choice option), number, text
    kind: str = "code"
    #: the stored variable (answer rows) the column comes from
    variable: str = ""
    #: the option of a multiple choice this 0/1 column stands for
    code: int | None = None
    notes: str = ""


@dataclass(frozen=True)
class Plan:
    campaign: Campaign
    questionnaire: Questionnaire
    audience: str
    level: str
    columns: tuple[Column, ...]
    #: identifying variables left out because this level is below their marker
    withheld: tuple[str, ...]
    preview: bool


def plan(
    session: Session,
    slug: str,
    audience: str,
    questionnaires: Mapping[str, Questionnaire],
    *,
    level: str | None = None,
    preview: bool = False,
) -> Plan:
    """What the export of ``audience`` in campaign ``slug`` holds; refused while the
    campaign is open unless ``preview`` (the caller checks that an analyst asks)."""
    campaign = session.scalar(select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise CampaignUnknown(f"no campaign '{slug}'")
    if campaign.is_open and not preview:
        raise CampaignStillOpen(
            f"campaign '{slug}' is still open: its data are exported once it is closed "
            "(an analyst may export a preview with --preview)"
        )
    questionnaire_id = campaign.questionnaire_for(audience)
    if questionnaire_id is None or questionnaire_id not in questionnaires:
        offered = ", ".join(q.audience for q in campaign.questionnaires) or "none"
        raise NothingToExport(
            f"campaign '{slug}' has no questionnaire for '{audience}' (audiences: {offered})"
        )
    questionnaire = questionnaires[questionnaire_id]
    lowest = LEVELS.index(questionnaire.report_level)
    if level is None:
        level = LEVELS[lowest]
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    if LEVELS.index(level) < lowest:
        raise LevelTooLow(
            f"questionnaire '{questionnaire.id}' is reported at {LEVELS[lowest]} level or above"
        )
    columns, withheld = _columns(questionnaire, level)
    return Plan(campaign, questionnaire, audience, level, columns, withheld, campaign.is_open)


def audiences(campaign: Campaign, questionnaires: Mapping[str, Questionnaire]) -> list[str]:
    """The campaign's audiences that can be exported (their questionnaire is known)."""
    return [q.audience for q in campaign.questionnaires if q.questionnaire_id in questionnaires]


def _allowed(questionnaire: Questionnaire, variable: str, level: str) -> bool:
    marker = questionnaire.identifying.get(variable)
    return marker is None or LEVELS.index(level) >= LEVELS.index(marker)


def _columns(
    questionnaire: Questionnaire, level: str
) -> tuple[tuple[Column, ...], tuple[str, ...]]:
    places = {
        "school": [("school", "Schulnummer"), ("school_type", "Schulform"),
                   ("sozialindex", "Sozialindex der Schule"), ("district", "Sozialraum"),
                   ("municipality", "Kommune")],
        "district": [("district", "Sozialraum"), ("municipality", "Kommune")],
        "municipality": [("municipality", "Kommune")],
    }[level]  # fmt: skip
    found = [Column(n, label, "place", kind="place") for n, label in places]
    withheld: list[str] = []
    if _allowed(questionnaire, LANGUAGE_VARIABLE, level):
        found.append(Column("language", "Sprache, in der geantwortet wurde", "language",
                            kind="language"))  # fmt: skip
    else:
        withheld.append(LANGUAGE_VARIABLE)
    book = {row.variable: row for row in codebook_rows(questionnaire)}
    for variable, question, kind in questionnaire.variables():
        row = book[variable]
        if not _allowed(questionnaire, variable, level):
            withheld.append(variable)
            continue
        options = questionnaire.options.get(question.id, ())
        if kind == "codes":
            for choice in options:
                found.append(
                    Column(f"{variable}_{choice.value}", f"{row.question} – {choice.label}",
                           "multi", TICK_LABELS, "tick", variable, choice.value, row.notes)
                )  # fmt: skip
        elif kind == "code":
            labels = {c.value: c.label for c in options}
            found.append(
                Column(variable, row.question, row.type, labels, "code", variable, None, row.notes)
            )
        else:
            found.append(Column(variable, row.question, row.type, {}, kind, variable, None,
                                row.values + ("; " + row.notes if row.notes else "")))  # fmt: skip
    names = [c.name for c in found]
    clash = {n for n in names if names.count(n) > 1}
    if clash:  # e.g. a multiple choice "a" with option 1 and a question "a_1"
        raise ValueError(
            f"questionnaire '{questionnaire.id}': columns named twice: {sorted(clash)}"
        )
    return tuple(found), tuple(withheld)


@dataclass(frozen=True)
class _Place:
    values: dict[str, object]
    #: the unit at the file's level (free text only where it has k responses)
    unit: tuple


def _places(session: Session, campaign: Campaign, level: str) -> dict[int, _Place]:
    rows = session.execute(
        select(School.id, School.number, School.school_type, School.sozialindex,
               District.name, Municipality.name)
        .join(District, School.district_id == District.id)
        .join(Municipality, District.municipality_id == Municipality.id)
        .where(Municipality.id == campaign.municipality_id)
    )  # fmt: skip
    found = {}
    for sid, number, kind, index, district, municipality in rows:
        values = {"school": number, "school_type": kind, "sozialindex": index,
                  "district": district, "municipality": municipality}  # fmt: skip
        unit = {"school": (sid,), "district": (district, municipality),
                "municipality": (municipality,)}[level]  # fmt: skip
        found[sid] = _Place(values, unit)
    return found


def records(session: Session, plan_: Plan, k: int, chunk: int = CHUNK) -> Iterator[list]:
    """The rows of the export, one list of values per response (in ``plan_.columns``
    order; None where unanswered), in random order, ``chunk`` responses per query."""
    campaign, questionnaire = plan_.campaign, plan_.questionnaire
    places = _places(session, campaign, plan_.level)
    where = (
        Response.campaign_id == campaign.id,
        Response.audience == plan_.audience,
        Response.questionnaire_id == questionnaire.id,
    )
    # responses per unit of the file's level: texts only where there are at least k
    sizes: dict[tuple, int] = {}
    for sid, n in session.execute(
        select(Response.school_id, func.count()).where(*where).group_by(Response.school_id)
    ):
        unit = places[sid].unit
        sizes[unit] = sizes.get(unit, 0) + int(n)
    columns = plan_.columns
    index = {c.name: i for i, c in enumerate(columns)}
    ticks = {(c.variable, c.code): i for i, c in enumerate(columns) if c.kind == "tick"}
    tick_columns: dict[str, list[int]] = {}
    for (variable, _code), i in ticks.items():
        tick_columns.setdefault(variable, []).append(i)
    plain = {
        c.variable: (i, c.kind)
        for i, c in enumerate(columns)
        if c.kind in ("code", "number", "text")
    }
    shuffle = random.Random(secrets.randbits(64))
    last = None
    while True:
        query = (
            select(Response.id, Response.school_id, Response.language)
            .where(*where)
            .order_by(Response.id)
            .limit(chunk)
        )
        if last is not None:
            query = query.where(Response.id > last)
        heads = session.execute(query).all()
        if not heads:
            return
        last = heads[-1][0]
        rows: dict = {}
        for rid, sid, language in heads:
            row = [None] * len(columns)
            place = places[sid]
            for name, value in place.values.items():
                if name in index:
                    row[index[name]] = value
            if "language" in index:
                row[index["language"]] = language
            rows[rid] = (row, sizes.get(place.unit, 0) >= k)
        answers = session.execute(
            select(
                Answer.response_id, Answer.variable, Answer.code, Answer.number, Answer.text
            ).where(Answer.response_id.in_(list(rows)))
        )
        for rid, variable, code, number, text in answers:
            row, texts_allowed = rows[rid]
            if variable in tick_columns:
                for i in tick_columns[variable]:
                    if row[i] is None:
                        row[i] = 0  # answered the question: every option is 0 unless ticked
                i = ticks.get((variable, code))
                if i is not None:
                    row[i] = 1
                continue
            found = plain.get(variable)
            if found is None:
                continue  # a variable of an older version, or one withheld at this level
            i, kind = found
            if kind == "code":
                row[i] = code
            elif kind == "number":
                row[i] = _number(number)
            elif texts_allowed and text:
                row[i] = scrub(text)
        batch = [row for row, _allowed in rows.values()]
        shuffle.shuffle(batch)
        yield from batch


# --- codebook -------------------------------------------------------------------------


def codebook(plan_: Plan) -> list[tuple[str, str, str, str, str]]:
    """(variable, question, type, values, notes) for every column, then the withheld ones."""
    found = []
    for c in plan_.columns:
        values = "; ".join(f"{code}={label}" for code, label in c.values.items())
        if c.kind == "place":
            values = "Text"
        elif c.kind == "language":
            values = "Sprachcode (ISO 639-1)"
        found.append((c.name, c.label, c.type, values, c.notes))
    for variable in plan_.withheld:
        found.append((variable, "", "", "",
                      f"not exported at {plan_.level} level: identifying at "
                      f"{plan_.questionnaire.identifying.get(variable)} level or above only"))  # fmt: skip
    return found


def codebook_csv(plan_: Plan) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CODEBOOK_COLUMNS)
    for row in codebook(plan_):
        writer.writerow([neutralise(str(x)) for x in row])
    return out.getvalue().encode("utf-8-sig")


# --- writers ----------------------------------------------------------------------------


def file_name(plan_: Plan, fmt: str) -> str:
    """``<campaign>_<audience>_daten[_preview].<fmt>``."""
    name = f"{plan_.campaign.slug}_{plan_.audience}_daten"
    return name + ("_preview" if plan_.preview else "") + f".{fmt}"


def codebook_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}-codebook.csv")


def write(session: Session, plan_: Plan, fmt: str, path: Path, k: int) -> list[Path]:
    """Write the export to ``path`` (and, for CSV, its codebook beside it); returns the
    files written."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = records(session, plan_, k)
    if fmt == "csv":
        _write_csv(plan_, rows, path)
        extra = codebook_path(path)
        extra.write_bytes(codebook_csv(plan_))
        return [path, extra]
    if fmt == "xlsx":
        _write_xlsx(plan_, rows, path)
    else:
        _write_stats(plan_, rows, path, fmt)
    return [path]


def _number(number: float | None):
    if number is None:
        return None
    return int(number) if float(number).is_integer() else float(number)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def _write_csv(plan_: Plan, rows: Iterator[list], path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([c.name for c in plan_.columns])
        for row in rows:
            writer.writerow([_cell(v) for v in row])


def _write_xlsx(plan_: Plan, rows: Iterator[list], path: Path) -> None:
    import xlsxwriter

    # constant_memory: each row goes to a temporary file as it is written
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": tempfile.gettempdir(),
                                           "strings_to_formulas": False,
                                           "strings_to_numbers": False})  # fmt: skip
    book.set_properties({"created": _EPOCH})  # no time of the export inside the file
    bold = book.add_format({"bold": True})
    data = book.add_worksheet("Daten")
    data.write_row(0, 0, [c.name for c in plan_.columns], bold)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                data.write_string(r, col, neutralise(value))
            else:
                data.write_number(r, col, value)
    sheet = book.add_worksheet("Codebuch")
    sheet.write_row(0, 0, list(CODEBOOK_COLUMNS), bold)
    for r, row in enumerate(codebook(plan_), start=1):
        for col, value in enumerate(row):
            sheet.write_string(r, col, neutralise(str(value)))
    sheet.set_column(1, 1, 60)
    sheet.set_column(3, 3, 60)
    book.close()


def _write_stats(plan_: Plan, rows: Iterator[list], path: Path, fmt: str) -> None:
    """SPSS or Stata: integer codes with value labels, texts as strings."""
    import pyreadstat

    columns = plan_.columns
    numeric = [c.kind in ("code", "tick", "number") or c.name == "sozialindex" for c in columns]
    parts = []
    batch: list[list] = []

    def flush() -> None:
        if batch:
            parts.append(_frame(batch, columns, numeric, fmt))
            batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= 10 * CHUNK:
            flush()
    flush()
    frame = pd.concat(parts, ignore_index=True) if parts else _frame([], columns, numeric, fmt)
    labels = {c.name: c.label for c in columns}
    values = {c.name: {int(k): v for k, v in c.values.items()} for c in columns if c.values}
    if fmt == "sav":
        pyreadstat.write_sav(frame, str(path), column_labels=labels, variable_value_labels=values,
                             file_label=_file_label(plan_))  # fmt: skip
    else:
        pyreadstat.write_dta(frame, str(path), column_labels={n: lb[:80] for n, lb in labels.items()},
                             variable_value_labels=values,
                             file_label=_file_label(plan_)[:80])  # fmt: skip


#: compact column types for SPSS and Stata: nullable integers (a tick takes 2 bytes, a
#: code 5, instead of 8 as a float), so the one frame pyreadstat writes stays small
_DTYPES = {"tick": "Int8", "code": "Int32", "place": "Int8"}


def _frame(batch: list[list], columns, numeric, fmt: str) -> pd.DataFrame:
    data = {}
    for i, c in enumerate(columns):
        cells = [row[i] for row in batch]
        if numeric[i] and c.kind == "number":
            data[c.name] = np.array([np.nan if v is None else v for v in cells], dtype="float64")
        elif numeric[i]:
            data[c.name] = pd.array(cells, dtype=_DTYPES[c.kind])
        else:
            texts = ["" if v is None else str(v) for v in cells]
            if fmt == "dta":
                texts = [_cut(t, DTA_STRING_BYTES) for t in texts]
            data[c.name] = pd.Series(texts, dtype="object")
    return pd.DataFrame(data, columns=[c.name for c in columns])


def _cut(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")


def _file_label(plan_: Plan) -> str:
    return f"{plan_.campaign.title} – {plan_.audience} ({plan_.questionnaire.id})"


# --- the export as a whole ----------------------------------------------------------------


def record_download(session: Session, actor_id: int | None, plan_: Plan, fmt: str, channel: str):
    """The audit entry of one export (added to the caller's transaction)."""
    from survey.core.audit import record

    return record(
        session,
        actor_id,
        "download",
        target=f"Kampagne {plan_.campaign.slug}",
        detail=f"Daten {plan_.audience} ({fmt}, Ebene {plan_.level}"
        + (", Vorschau" if plan_.preview else "")
        + f") über {channel}",
    )


def prepare(
    session: Session,
    slug: str,
    fmt: str,
    out: Path,
    questionnaires: Mapping[str, Questionnaire],
    *,
    audience: str | None = None,
    level: str | None = None,
    preview: bool = False,
    actor_id: int | None = None,
    channel: str = "survey export",
) -> list[tuple[Plan, Path]]:
    """``survey export``: what to write where (the audience's file at ``out``, or without
    ``audience`` one file per audience, ``<out stem>-<audience><suffix>``), each export
    audit-logged in the caller's transaction. The caller commits before writing: the
    entry exists even if the download breaks off, and no write lock of SQLite is held
    while the data are read."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    if audience is not None:
        targets = [(audience, out)]
    else:
        campaign = session.scalar(select(Campaign).where(Campaign.slug == slug))
        if campaign is None:
            raise CampaignUnknown(f"no campaign '{slug}'")
        targets = [
            (a, out.with_name(f"{out.stem}-{a}{out.suffix or '.' + fmt}"))
            for a in audiences(campaign, questionnaires)
        ]
    plans = [
        (plan(session, slug, a, questionnaires, level=level, preview=preview), path)
        for a, path in targets
    ]
    for plan_, _path in plans:
        record_download(session, actor_id, plan_, fmt, channel)
    session.flush()
    return plans
