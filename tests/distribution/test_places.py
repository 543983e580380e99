"""Importing schools from CSV and XLSX: preview, bad rows, idempotence, CLI, web."""

from __future__ import annotations

import base64
import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from staff import signed_in

from survey.core.errors import InvalidInput
from survey.distribution import places
from survey.distribution.models import District, Municipality, School
from survey.extensions import db

GOOD_CSV = (
    "Schulnummer;Name;Schulform;Sozialindex;Sozialraum;Kommune\r\n"
    "123456;Grundschule Am Hafen;Grundschule;7;Hafen;Musterstadt\r\n"
    "234567;Gesamtschule Nord;Gesamtschule;;Nordviertel;Musterstadt\r\n"
    "345678;Förderschule Süd;förderschule;9;Südstadt;Musterstadt\r\n"
).encode("utf-8-sig")

BROKEN_CSV = (
    b"Schulnummer,Name,Schulform,Sozialindex,Sozialraum,Kommune\n"
    b"12345,Zu kurz,Grundschule,3,Hafen,Musterstadt\n"  # 2: five digits
    b"123456,,Grundschule,3,Hafen,Musterstadt\n"  # 3: no name
    b"223456,Schule X,Waldorfschule,3,Hafen,Musterstadt\n"  # 4: unknown type
    b"323456,Schule Y,Gymnasium,10,Hafen,Musterstadt\n"  # 5: Sozialindex out of range
    b"423456,Schule Z,Gymnasium,drei,,Musterstadt\n"  # 6: Sozialindex text, no district
    b"523456,Schule Q,Realschule,2,Hafen,Musterstadt\n"  # 7: fine
    b"523456,Schule Q2,Realschule,2,Hafen,Musterstadt\n"  # 8: duplicate number
    b"abcdef,Schule R,Realschule,2,Hafen,\n"  # 9: letters, no municipality
)


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_good_csv_is_planned_then_written_and_a_second_import_changes_nothing(app):
    with app.app_context():
        plan = places.plan_import(db.session, "schulen.csv", GOOD_CSV)
        assert plan.ok and len(plan.added) == 3 and not plan.changed
        assert db.session.scalar(select(func.count()).select_from(School)) == 0  # nothing yet
        places.apply_import(db.session, None, plan, "schulen.csv")
        db.session.commit()
        school = db.session.scalar(select(School).where(School.number == "345678"))
        assert school.school_type == "Förderschule" and school.sozialindex == 9
        assert (
            school.district.name == "Südstadt"
            and school.district.municipality.name == "Musterstadt"
        )
        again = places.plan_import(db.session, "schulen.csv", GOOD_CSV)
        assert again.ok and not again.writes and len(again.unchanged) == 3
        assert db.session.scalar(select(func.count()).select_from(District)) == 3
        assert db.session.scalar(select(func.count()).select_from(Municipality)) == 1


def test_xlsx_with_numbers_as_numbers_and_a_change(app):
    with app.app_context():
        places.apply_import(
            db.session, None, places.plan_import(db.session, "a.csv", GOOD_CSV), "a"
        )
        db.session.commit()
        data = xlsx(
            [
                ["Schulnummer", "Name", "Schulform", "Sozialindex", "Sozialraum", "Kommune"],
                [123456, "Grundschule Am Hafen", "Grundschule", 6, "Hafen", "Musterstadt"],
                [456789.0, "Gymnasium Neu", "Gymnasium", None, "Hafen", "Musterstadt"],
            ]
        )
        plan = places.plan_import(db.session, "schulen.xlsx", data)
        assert plan.ok
        assert [r.number for r in plan.added] == ["456789"]
        assert [(r.number, c) for r, c in plan.changed] == [("123456", ["Sozialindex: 7 → 6"])]


def test_each_bad_row_gets_one_german_line_with_row_column_and_problem(app):
    with app.app_context():
        plan = places.plan_import(db.session, "kaputt.csv", BROKEN_CSV)
    lines = [bad.line() for bad in plan.bad]
    assert not plan.ok and [r.number for r in plan.added] == ["523456"]
    assert lines == [
        "Zeile 2: Schulnummer: „12345“ hat nicht genau sechs Ziffern",
        "Zeile 3: Name: fehlt",
        "Zeile 4: Schulform: „Waldorfschule“ ist keine bekannte Schulform (erlaubt: "
        "Grundschule, Hauptschule, Realschule, Sekundarschule, Gesamtschule, Gymnasium, "
        "Förderschule, Berufskolleg, andere)",
        "Zeile 5: Sozialindex: „10“ ist keine ganze Zahl von 1 bis 9",
        "Zeile 6: Sozialindex: „drei“ ist keine ganze Zahl von 1 bis 9; Sozialraum: fehlt",
        "Zeile 8: Schulnummer: steht schon in Zeile 7",
        "Zeile 9: Schulnummer: „abcdef“ hat nicht genau sechs Ziffern; Kommune: fehlt",
    ]
    with app.app_context(), pytest.raises(InvalidInput):
        places.apply_import(db.session, None, plan, "kaputt.csv")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.pdf", b"%PDF", "CSV- oder XLSX-Datei"),
        ("a.xlsx", b"not a zip", "Excel-Datei"),
        ("a.csv", b"", "leer"),
        ("a.csv", b"Nummer;Name\n1;2\n", "fehlen diese Spalten: Schulnummer, Schulform"),
        (
            "a.csv",
            "Schulnummer;Name;Schulform;Sozialraum;Kommune\n".encode("cp1252")
            + "123456;Schüle;Grundschule;Süd;M\n".encode("cp1252"),
            None,
        ),
    ],
)
def test_unreadable_files(app, name, data, message):
    with app.app_context():
        if message is None:
            assert places.plan_import(db.session, name, data).added[0].name == "Schüle"
            return
        with pytest.raises(InvalidInput) as caught:
            places.plan_import(db.session, name, data)
    assert message in str(caught.value.message)


def test_cli_import_dry_run_then_real(app, tmp_path):
    good = tmp_path / "schulen.csv"
    good.write_bytes(GOOD_CSV)
    runner = app.test_cli_runner()
    r = runner.invoke(args=["places", "import", str(good), "--dry-run"])
    assert r.exit_code == 0 and "3 new" in r.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(School)) == 0
    assert runner.invoke(args=["places", "import", str(good)]).exit_code == 0
    assert (
        "0 new, 0 changed, 3 unchanged"
        in runner.invoke(args=["places", "import", str(good)]).output
    )
    broken = tmp_path / "kaputt.csv"
    broken.write_bytes(BROKEN_CSV)
    r = runner.invoke(args=["places", "import", str(broken)])
    assert r.exit_code == 1 and "Zeile 5: Sozialindex" in r.output


def test_web_preview_writes_nothing_until_confirmed(app, world):
    client, token = signed_in(app, "analyse@test.invalid")
    r = client.post(
        "/orte/import",
        data={"csrf_token": token, "file": (io.BytesIO(BROKEN_CSV), "kaputt.csv")},
        content_type="multipart/form-data",
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Zeile 4: Schulform: „Waldorfschule“" in page.replace("&#34;", '"')
    assert "Übernehmen" not in page
    r = client.post(
        "/orte/import",
        data={"csrf_token": token, "file": (io.BytesIO(GOOD_CSV), "gut.csv")},
        content_type="multipart/form-data",
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "3 Schulen kommen neu dazu" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(School)) == 2  # the world's
    content = re.search(r'name="content" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post(
        "/orte/import/uebernehmen",
        data={"csrf_token": token, "filename": "gut.csv", "content": content},
    )
    assert r.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(School)) == 5
    again = client.post(
        "/orte/import",
        data={"csrf_token": token, "file": (io.BytesIO(GOOD_CSV), "gut.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Es gibt nichts zu übernehmen" in again
    assert base64.b64decode(content) == GOOD_CSV


def test_templates_download_and_import_cleanly(app, world):
    client, _token = signed_in(app, "analyse@test.invalid")
    csv_file = client.get("/orte/vorlage.csv")
    xlsx_file = client.get("/orte/vorlage.xlsx")
    assert csv_file.data.startswith(b"\xef\xbb\xbfSchulnummer;Name;Schulform")
    with app.app_context():
        assert len(places.plan_import(db.session, "v.csv", csv_file.data).added) == 2
        assert len(places.plan_import(db.session, "v.xlsx", xlsx_file.data).added) == 2


def test_schools_are_edited_on_the_web_with_errors_by_the_field(app, world):
    client, token = signed_in(app, "analyse@test.invalid")
    with app.app_context():
        district = db.session.scalar(select(District)).id
    r = client.post(
        "/orte/schulen/neu",
        data={
            "csrf_token": token,
            "number": "100001",  # taken
            "name": "Neue Schule",
            "school_type": "Gymnasium",
            "sozialindex": "4",
            "district_id": district,
        },
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="number-error"' in page and 'value="Neue Schule"' in page
    r = client.post(
        f"/orte/schulen/{world.school_a}",
        data={
            "csrf_token": token,
            "number": "100001",
            "name": "Grundschule A neu",
            "school_type": "Grundschule",
            "sozialindex": "",
            "district_id": district,
        },
    )
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(School, world.school_a).name == "Grundschule A neu"
