"""The analysts' data export: every format read back, against the answers stored."""

from __future__ import annotations

import csv
import getpass
import io
import random
from pathlib import Path

import openpyxl
import pyreadstat
import pytest
from report_factories import make_responses, make_world, random_family
from sqlalchemy import select

from survey.core.audit import AuditEntry
from survey.extensions import db
from survey.questionnaires.loader import load_directory
from survey.reports import export
from survey.reports.services import CampaignStillOpen

FIXTURES = Path(__file__).parent.parent / "fixtures" / "questionnaires"
SHIPPED = Path(__file__).parent.parent.parent / "questionnaires"
QUESTIONNAIRES, _problems = load_directory(FIXTURES)
K = 5
SCHOOLS = {"Nordschule": ("Nord", "Grundschule"), "Kleine Schule": ("Süd", "Förderschule")}


def _answers(n: int, rnd: random.Random) -> list[dict]:
    found = []
    for i in range(n):
        given = random_family(rnd)
        # the order of submission, readable in the data: the export must not keep it
        given["wish"] = f"Antwort {i:03d} ruft 0209 1234567 an"
        found.append(given)
    return found


@pytest.fixture
def world(app):
    rnd = random.Random(7)
    with app.app_context():
        world = make_world(db.session, SCHOOLS)
        make_responses(db.session, world, "Nordschule", _answers(60, rnd), language="tr")
        make_responses(db.session, world, "Kleine Schule", _answers(3, rnd))
        formula = {"welcome": 3, "wish": "=1+2", "info_channel": [1, 98]}
        make_responses(db.session, world, "Nordschule", [formula], language="ar")
        db.session.commit()
        yield world


def _export(app, fmt: str, tmp_path: Path, **kwargs) -> list[Path]:
    with app.app_context():
        plan = export.plan(db.session, "c1", "families", QUESTIONNAIRES, **kwargs)
        return export.write(db.session, plan, fmt, tmp_path / f"daten.{fmt}", K)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_csv_has_one_row_per_response_with_the_stored_codes(app, world, tmp_path):
    data, book = _export(app, "csv", tmp_path)
    rows = _csv_rows(data)
    assert len(rows) == 64
    columns = list(rows[0])
    assert columns[:6] == ["school", "school_type", "sozialindex", "district", "municipality",
                           "language"]  # fmt: skip
    # multiple choice: one 0/1 column per option, "other" (98) included
    assert [c for c in columns if c.startswith("info_channel_")][:6] == [
        "info_channel_1", "info_channel_2", "info_channel_3", "info_channel_4",
        "info_channel_5", "info_channel_98",
    ]  # fmt: skip
    assert {"events_parents_evening", "children_count", "wish"} <= set(columns)
    assert not {"id", "response_id", "submitted_on", "questionnaire_version"} & set(columns)
    # every response's answers, as stored (compared as multisets: the order is random)
    expected = []
    for school, _aud, _q, language, given in world.answers:
        channels = given.get("info_channel")
        expected.append(
            (world.schools[school].number, language, str(given.get("welcome", "")),
             "" if channels is None else "".join("1" if c in channels else "0" for c in (1, 2, 3, 4, 5, 98)),
             str(int(given["children_count"])) if "children_count" in given else "")
        )  # fmt: skip
    found = [
        (r["school"], r["language"], r["welcome"],
         "".join(r[f"info_channel_{c}"] for c in (1, 2, 3, 4, 5, 98)), r["children_count"])
        for r in rows
    ]  # fmt: skip
    assert sorted(found) == sorted(expected)
    codebook = _csv_rows(book)
    assert list(codebook[0]) == list(export.CODEBOOK_COLUMNS)
    welcome = next(r for r in codebook if r["variable"] == "welcome")
    assert welcome["type"] == "scale" and "99=weiß nicht" in welcome["values"]
    tick = next(r for r in codebook if r["variable"] == "info_channel_2")
    assert tick["values"] == "0=nicht gewählt; 1=gewählt" and "Messenger" in tick["question"]


def test_rows_are_not_in_the_order_of_submission(app, world, tmp_path):
    rows = _csv_rows(_export(app, "csv", tmp_path)[0])
    order = [int(r["wish"].split()[1]) for r in rows if r["school"] == "100001" and r["wish"]
             and r["wish"].startswith("Antwort")]  # fmt: skip
    assert len(order) == 60
    assert order != sorted(order) and order != sorted(order, reverse=True)
    # and not the same order twice (shuffled again in every export)
    again = [r["wish"] for r in _csv_rows(_export(app, "csv", tmp_path)[0])]
    assert again != [r["wish"] for r in rows]


def test_free_text_is_scrubbed_and_left_out_for_small_units(app, world, tmp_path):
    rows = _csv_rows(_export(app, "csv", tmp_path)[0])
    texts = {r["school"]: set() for r in rows}
    for r in rows:
        texts[r["school"]].add(r["wish"])
    assert texts["100002"] == {""}  # 3 responses: below k, no text at all
    nord = {t for t in texts["100001"] if t.startswith("Antwort")}
    assert len(nord) == 60 and all("1234567" not in t and "[entfernt]" in t for t in nord)


def test_formula_injection_is_neutralised_in_csv_and_xlsx(app, world, tmp_path):
    rows = _csv_rows(_export(app, "csv", tmp_path)[0])
    assert "'=1+2" in {r["wish"] for r in rows}
    assert "=1+2" not in {r["wish"] for r in rows}
    path = _export(app, "xlsx", tmp_path)[0]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Daten", "Codebuch"]
    sheet = book["Daten"]
    header = [c.value for c in sheet[1]]
    wish = header.index("wish")
    cells = [row[wish] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'=1+2" in cells and "=1+2" not in cells
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert sheet.max_row == 65
    welcome = header.index("welcome")
    assert {type(row[welcome]) for row in sheet.iter_rows(min_row=2, values_only=True)} <= {
        int,
        type(None),
    }
    codebook = [r for r in book["Codebuch"].iter_rows(values_only=True)]
    assert codebook[0] == export.CODEBOOK_COLUMNS
    assert any(r[0] == "info_enough" and "1=ja" in r[3] for r in codebook)


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_spss_and_stata_files_read_back_with_their_labels(app, world, tmp_path, fmt):
    path = _export(app, fmt, tmp_path)[0]
    read = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    frame, meta = read(str(path))
    assert len(frame) == 64
    labels = meta.column_names_to_labels
    assert labels["welcome"] == "Ich fühle mich in der Schule meines Kindes willkommen."
    assert labels["info_channel_2"].startswith("Wie bekommen Sie Informationen")
    values = meta.variable_value_labels
    assert values["welcome"] == {1: "stimme gar nicht zu", 2: "stimme eher nicht zu",
                                 3: "stimme eher zu", 4: "stimme voll zu",
                                 99: "weiß nicht / trifft nicht zu"}  # fmt: skip
    assert values["info_channel_5"] == {0: "nicht gewählt", 1: "gewählt"}
    assert values["info_enough"] == {1: "ja", 0: "nein", 99: "weiß nicht / trifft nicht zu"}
    # integer codes (read back as floats, as pyreadstat does), missing where unanswered
    stored = sorted(g["welcome"] for *_x, g in world.answers if "welcome" in g)
    assert sorted(int(v) for v in frame["welcome"].dropna()) == stored
    assert set(frame["school"]) == {"100001", "100002"}
    # no spreadsheet reads these files: a text stays as it was written
    assert "=1+2" in set(frame["wish"])


def test_an_open_campaign_is_refused_unless_previewed(app, world, tmp_path):
    with app.app_context():
        world.campaign.state = "open"
        db.session.merge(world.campaign)
        db.session.commit()
    with pytest.raises(CampaignStillOpen):
        _export(app, "csv", tmp_path)
    data, _book = _export(app, "csv", tmp_path, preview=True)
    assert len(_csv_rows(data)) == 64
    with app.app_context():
        plan = export.plan(db.session, "c1", "families", QUESTIONNAIRES, preview=True)
        assert export.file_name(plan, "csv") == "c1_families_daten_preview.csv"


def test_identifying_background_is_exported_only_at_the_level_its_marker_allows():
    shipped, problems = load_directory(SHIPPED)
    families = shipped["families"]
    assert families.identifying["home_language"] == "district"

    class Campaign:
        is_open = False

    school, withheld = export._columns(families, "school")
    names = {c.name for c in school}
    assert "school" in names and "child_grade" in names and "language" in names
    assert "home_language" not in names and "years_in_germany" not in names
    assert {"home_language", "years_in_germany"} <= set(withheld)
    district, withheld = export._columns(families, "district")
    names = {c.name for c in district}
    assert "school" not in names and "school_type" not in names
    assert {"home_language", "years_in_germany", "district"} <= names and not withheld
    # every column name of every shipped questionnaire fits Stata (32) and SPSS (64)
    for questionnaire in shipped.values():
        for level in ("school", "district", "municipality"):
            if level == "school" and questionnaire.report_level != "school":
                continue
            columns, _w = export._columns(questionnaire, level)
            assert all(len(c.name) <= 32 and c.name.isidentifier() for c in columns)


def test_the_command_writes_one_file_per_audience_and_logs_every_export(app, world, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export", "--campaign", "c1", "--format", "dta",
                                 "--out", str(tmp_path / "c1.dta")])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "c1-families.dta").exists()
    result = runner.invoke(args=["export", "--campaign", "c1", "--format", "csv",
                                 "--audience", "families", "--out", str(tmp_path / "x.csv")])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "x.csv").exists() and (tmp_path / "x-codebook.csv").exists()
    result = runner.invoke(args=["export", "--campaign", "c1", "--format", "csv",
                                 "--audience", "staff", "--out", str(tmp_path / "y.csv")])  # fmt: skip
    assert isinstance(result.exception, export.NothingToExport)
    assert "no questionnaire for 'staff'" in str(result.exception)
    result = runner.invoke(args=["export", "--campaign", "c1", "--format", "sav",
                                 "--out", str(tmp_path / "z.csv")])  # fmt: skip
    assert result.exit_code == 2 and "does not end in .sav" in result.output
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    details = [e.detail for e in entries if e.action == "download"]
    user = getpass.getuser()
    assert details == [
        f"Daten families (dta, Ebene school) über survey export ({user})",
        f"Daten families (csv, Ebene school) über survey export ({user})",
    ]
    assert all(e.actor_id is None for e in entries)


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_a_campaign_without_responses_exports_its_columns_only(app, tmp_path, fmt):
    with app.app_context():
        make_world(db.session, SCHOOLS)
        db.session.commit()
    path = _export(app, fmt, tmp_path)[0]
    if fmt == "csv":
        assert [list(r) for r in [_csv_rows(path)]] == [[]]
        assert path.read_bytes().decode("utf-8-sig").startswith("school,school_type,")
    elif fmt == "xlsx":
        assert openpyxl.load_workbook(path)["Daten"].max_row == 1
    else:
        read = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
        frame, meta = read(str(path))
        assert len(frame) == 0 and "welcome" in meta.column_names
