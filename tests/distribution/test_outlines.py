"""District outlines from GeoJSON: checked on import (CLI and web), stored, shown."""

from __future__ import annotations

import copy
import io
import json

import pytest
from sqlalchemy import func, select
from staff import make_school, signed_in
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from survey.core.audit import AuditEntry
from survey.core.errors import InvalidInput
from survey.distribution import outlines
from survey.distribution.models import District, DistrictOutline
from survey.extensions import db


def square(x: float, y: float, size: float = 0.01) -> list:
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def collection(**names) -> dict:
    """Features named ``name`` with a square each; the keyword value is the south-west corner."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": {"type": "Polygon", "coordinates": square(*corner)},
            }
            for name, corner in names.items()
        ],
    }


def encode(document) -> bytes:
    return json.dumps(document).encode()


GOOD = collection(Nord=(7.0, 51.52), Süd=(7.0, 51.50))


@pytest.fixture
def places(app, world):
    """Teststadt with the districts Nord and Süd (from the staff world)."""
    return world


def test_a_good_file_is_stored_and_importing_it_again_changes_nothing(app, places):
    with app.app_context():
        result = outlines.import_file(db.session, None, encode(GOOD), "bezirke.geojson")
        db.session.commit()
        assert result.municipality == "Teststadt" and result.stored == ["Nord", "Süd"]
        assert result.without == []
        stored = outlines.shapes(db.session, db.session.scalar(select(District)).municipality_id)
        assert stored["Nord"] == ((tuple(map(tuple, square(7.0, 51.52)[0])),),)
        first = db.session.scalars(select(DistrictOutline.geometry)).all()
        outlines.import_file(db.session, None, encode(GOOD), "bezirke.geojson")
        db.session.commit()
        assert db.session.scalars(select(DistrictOutline.geometry)).all() == first
        assert db.session.scalar(select(func.count()).select_from(DistrictOutline)) == 2


def test_multipolygons_holes_another_property_and_extra_coordinates(app, places):
    document = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": [
            {
                "type": "Feature",
                "properties": {"STADTTEIL": "Nord", "name": "falsch"},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [
                        square(7.0, 51.5, 0.1) + [[[7.02, 51.52, 60], [7.03, 51.52, 60],
                                                   [7.03, 51.53, 60], [7.02, 51.52, 60]]],
                        square(7.2, 51.5),
                    ],
                },
            }
        ],
    }  # fmt: skip
    with app.app_context():
        result = outlines.import_file(
            db.session, None, encode(document), "x.json", property_name="STADTTEIL"
        )
        assert result.stored == ["Nord"] and result.without == ["Süd"]
        shape = outlines.shapes(db.session, db.session.scalar(select(District)).municipality_id)
        assert len(shape["Nord"]) == 2 and len(shape["Nord"][0]) == 2  # two parts, one hole
        assert shape["Nord"][0][1][0] == (7.02, 51.52)  # the height is dropped


def _broken(change):
    document = copy.deepcopy(GOOD)
    change(document)
    return encode(document)


def _set(path, value):
    def change(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


GEOMETRY = ("features", 0, "geometry")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Die Datei ist leer."),
        (b"\xff\xfe{", "nicht in UTF-8"),
        (
            b'{"type": "FeatureCollection",\n "features": [}',
            "kein gültiges JSON (Zeile 2, Spalte 15)",
        ),
        (b'{"type": "FeatureCollection", "features": [NaN]}', "kein gültiges GeoJSON"),
        (b"[" * 100_000 + b"]" * 100_000, "kein gültiges GeoJSON"),
        (encode({"type": "Feature"}), "FeatureCollection, nicht „Feature“"),
        (encode([1, 2]), "FeatureCollection, nicht „list“"),
        (encode({"type": "FeatureCollection", "features": []}), "enthält keine Umrisse"),
        (
            encode(GOOD | {"crs": {"type": "name", "properties": {"name": "EPSG:25832"}}}),
            "Koordinatensystem „EPSG:25832“",
        ),
        (_broken(_set(("features", 0, "properties"), {})), "Umriss 1: die Eigenschaft „name“"),
        (
            _broken(_set(("features", 1, "properties", "name"), "Nord")),
            "Umriss 2: „Nord“ steht schon",
        ),
        (_broken(_set(("features", 0, "type"), "Polygon")), "Umriss 1 ist kein GeoJSON-Feature"),
        (
            _broken(_set((*GEOMETRY, "type"), "LineString")),
            "Umriss 1 (Nord): Geometrie „LineString“ wird nicht unterstützt",
        ),
        (_broken(_set(GEOMETRY, None)), "Umriss 1 (Nord): die Geometrie fehlt"),
        (
            _broken(_set((*GEOMETRY, "coordinates"), [[[7, 51], [7.1, 51], [7.1, 51.1]]])),
            "weniger als vier Punkte",
        ),
        (
            _broken(
                _set((*GEOMETRY, "coordinates"), [[[7, 51], [7.1, 51], [7.1, 51.1], [7, 51.1]]])
            ),
            "nicht geschlossen",
        ),
        (
            _broken(_set((*GEOMETRY, "coordinates"), [[[7, 51], [7.1, 51], [7.2, 51], [7, 51]]])),
            "keine Fläche",
        ),
        (
            _broken(_set((*GEOMETRY, "coordinates"), square(361000, 5710000, 500))),
            "vermutlich Meter (UTM oder Gauß-Krüger)",
        ),
        (
            _broken(_set((*GEOMETRY, "coordinates"), [[[7, "51"], [7.1, 51], [7, 51.1], [7, 51]]])),
            "kein Paar von Zahlen",
        ),
        (
            _broken(
                _set((*GEOMETRY, "coordinates"), [[[True, 51], [7.1, 51], [7, 51.1], [True, 51]]])
            ),
            "kein Paar von Zahlen",
        ),
        (_broken(_set((*GEOMETRY, "coordinates"), "7,51")), "keine Liste von Punkten"),
        (
            # a bow tie: the ring crosses itself
            _broken(
                _set(
                    (*GEOMETRY, "coordinates"),
                    [[[7, 51], [7.1, 51.1], [7.1, 51], [7, 51.2], [7, 51]]],
                )
            ),
            "Umriss 1 (Nord): die Umrisslinie kreuzt sich selbst (bei Länge 7.06667, "
            "Breite 51.06667)",
        ),
        (
            # a hole that reaches out of its polygon
            _broken(
                _set(
                    (*GEOMETRY, "coordinates"),
                    [
                        [[7, 51], [7.1, 51], [7.1, 51.1], [7, 51.1], [7, 51]],
                        [[7.05, 51.05], [7.2, 51.05], [7.2, 51.06], [7.05, 51.06], [7.05, 51.05]],
                    ],
                )
            ),
            "kreuzt sich selbst",
        ),
        (
            # a spike: the outline runs out and back along the same line
            _broken(
                _set(
                    (*GEOMETRY, "coordinates"),
                    [[[7, 51], [7.1, 51], [7.2, 51], [7.15, 51], [7.1, 51.1], [7, 51]]],
                )
            ),
            "kreuzt sich selbst",
        ),
        (
            _broken(_set(("features",), [GOOD["features"][0]] * (outlines.MAX_FEATURES + 1))),
            "mehr als 500 Umrisse",
        ),
        (b" " * (outlines.MAX_BYTES + 1), "zu groß (höchstens 8 MB)"),
    ],
)
def test_bad_files_get_one_clear_line_and_nothing_is_stored(app, places, data, message):
    with app.app_context():
        with pytest.raises(InvalidInput) as caught:
            outlines.import_file(db.session, None, data, "kaputt.geojson")
        db.session.rollback()
        assert message in str(caught.value.message)
        assert "\n" not in str(caught.value.message)
        assert db.session.scalar(select(func.count()).select_from(DistrictOutline)) == 0


def test_too_many_points(app, places, monkeypatch):
    monkeypatch.setattr(outlines, "MAX_POSITIONS", 9)
    with app.app_context(), pytest.raises(InvalidInput, match="mehr als 9 Punkte"):
        outlines.parse(encode(GOOD))


def test_unknown_districts_and_municipalities_are_named(app, places):
    with app.app_context():
        with pytest.raises(InvalidInput) as caught:
            outlines.import_file(
                db.session, None, encode(collection(Nord=(7, 51), Ost=(7, 52))), "f"
            )
        assert str(caught.value.message) == (
            "Diese Sozialräume gibt es in Teststadt nicht: Ost (bekannt: Nord, Süd). "
            "Schreibweise prüfen oder den Sozialraum zuerst anlegen."
        )
        with pytest.raises(InvalidInput, match="Die Kommune „Nirgendwo“ gibt es nicht"):
            outlines.import_file(db.session, None, encode(GOOD), "f", "Nirgendwo")


def test_with_two_municipalities_the_one_that_has_the_districts_is_taken(app, places):
    with app.app_context():
        from survey.distribution.places import _district

        _district(db.session, "Anderstadt", "Hafen")
        result = outlines.import_file(db.session, None, encode(GOOD), "f")
        assert result.municipality == "Teststadt"
        _district(db.session, "Anderstadt", "Nord")
        _district(db.session, "Anderstadt", "Süd")
        with pytest.raises(InvalidInput, match="--municipality NAME"):
            outlines.import_file(db.session, None, encode(GOOD), "f")
        assert outlines.import_file(db.session, None, encode(GOOD), "f", "Anderstadt").stored


def test_cli_import_geo(app, places, tmp_path):
    runner = app.test_cli_runner()
    good = tmp_path / "bezirke.geojson"
    good.write_bytes(encode(GOOD))
    r = runner.invoke(args=["places", "import-geo", str(good)])
    assert r.exit_code == 0, r.output
    assert "Teststadt: 2 outlines stored (Nord, Süd)" in r.stdout
    bad = tmp_path / "utm.geojson"
    bad.write_bytes(_broken(_set((*GEOMETRY, "coordinates"), square(361000, 5710000, 500))))
    r = runner.invoke(args=["places", "import-geo", str(bad), "--municipality", "Teststadt"])
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert r.stderr.count("\n") == 1 and "EPSG:4326" in r.stderr
    other = tmp_path / "stadtteile.geojson"
    document = collection(Nord=(7.0, 51.52))
    document["features"][0]["properties"] = {"STADTTEIL": "Nord"}
    other.write_bytes(encode(document))
    r = runner.invoke(args=["places", "import-geo", str(other), "--property", "STADTTEIL"])
    assert r.exit_code == 0 and "1 outlines stored (Nord)" in r.stdout


def test_web_upload_by_an_analyst_with_preview_audit_and_errors(app, places):
    client, token = signed_in(app, "analyse@test.invalid")
    page = client.get("/orte/umrisse")
    assert page.status_code == 200 and "fehlt" in page.get_data(as_text=True)
    with app.app_context():
        municipality = db.session.scalar(select(District)).municipality_id
    r = client.post(
        "/orte/umrisse",
        data={
            "csrf_token": token,
            "municipality_id": municipality,
            "property_name": "name",
            "file": (io.BytesIO(encode(collection(Nord=(7, 51), Ost=(7, 52)))), "b.geojson"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    assert "gibt es in Teststadt nicht: Ost" in r.get_data(as_text=True)
    r = client.post(
        "/orte/umrisse",
        data={
            "csrf_token": token,
            "municipality_id": municipality,
            "property_name": "",
            "file": (io.BytesIO(encode(GOOD)), "bezirke.geojson"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    page = client.get("/orte/umrisse").get_data(as_text=True)
    assert "2 Umrisse übernommen." in page
    assert page.count('data-state="empty"') == 2 and 'role="img"' in page  # the preview map
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DistrictOutline)) == 2
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "places.import"))
        assert entry.target == "Umrisse Teststadt" and "bezirke.geojson: 2" in entry.detail


def _big_post(client, url: str, fields: dict, filename: str, content: bytes):
    """A multipart post built in memory: the test client would spool a big body into a
    temporary file that it never closes (a ResourceWarning, which fails the run)."""
    boundary, body = encode_multipart(
        MultiDict({**fields, "file": FileStorage(io.BytesIO(content), filename)})
    )
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_the_upload_may_be_larger_than_other_posts_but_not_unbounded(app, places):
    client, token = signed_in(app, "analyse@test.invalid")
    with app.app_context():
        municipality = db.session.scalar(select(District)).municipality_id
    fields = {"csrf_token": token, "municipality_id": str(municipality)}
    # 1 MB: more than MAX_CONTENT_LENGTH (256 KB) allows elsewhere
    padded = encode(GOOD)[:-1] + b"," + b'"pad": "' + b"x" * 1_000_000 + b'"}'
    r = _big_post(client, "/orte/umrisse", fields, "gross.geojson", padded)
    assert r.status_code == 302
    huge = b" " * (outlines.MAX_BYTES + 100_000)
    assert _big_post(client, "/orte/umrisse", fields, "riesig.geojson", huge).status_code == 413
    # other posts keep the small limit
    r = _big_post(client, "/orte/import", {"csrf_token": token}, "a.csv", b"x" * 300_000)
    assert r.status_code == 413


def test_coordinators_may_not_upload_outlines(app, places):
    client, token = signed_in(app, "a@test.invalid")
    assert client.get("/orte/umrisse").status_code == 403
    r = client.post(
        "/orte/umrisse",
        data={"csrf_token": token, "file": (io.BytesIO(encode(GOOD)), "b.geojson")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 403


def test_the_demo_gets_its_synthetic_outlines(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        names = set(
            db.session.scalars(
                select(District.name).join(
                    DistrictOutline, DistrictOutline.district_id == District.id
                )
            )
        )
        districts = set(db.session.scalars(select(District.name)))
    # every demo district the demo has (Nord, Süd; Mitte once the demo has a school there)
    assert names == districts & {"Nord", "Mitte", "Süd"} and {"Nord", "Süd"} <= names
    shipped = {o.name for o in outlines.parse(outlines.DEMO_FILE.read_bytes())}
    assert shipped == {"Nord", "Mitte", "Süd"}


def test_the_demo_outlines_share_their_borders(app):
    """Neighbours in the shipped file meet exactly: no gaps, no overlaps along a border."""
    shapes = {o.name: o.shape for o in outlines.parse(outlines.DEMO_FILE.read_bytes())}
    points = {name: set(shape[0][0]) for name, shape in shapes.items()}
    assert len(points["Nord"] & points["Mitte"]) > 20
    assert len(points["Mitte"] & points["Süd"]) > 20
    assert not points["Nord"] & points["Süd"]
    from survey.maps.geometry import inside

    for name, shape in shapes.items():
        for other, other_shape in shapes.items():
            if other != name:
                from survey.maps.geometry import label_point

                assert not inside(label_point(shape), other_shape[0])


def test_make_school_in_a_new_district_has_no_outline(app, places):
    with app.app_context():
        make_school("100009", "Neue Schule", "Ost")
        outlines.import_file(db.session, None, encode(GOOD), "f")
        result = outlines.import_file(db.session, None, encode(GOOD), "f")
        assert result.without == ["Ost"]
