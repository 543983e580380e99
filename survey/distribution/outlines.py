"""District outlines for the maps: read from GeoJSON, checked, stored per district.

The file is a GeoJSON FeatureCollection (RFC 7946) of Polygon or MultiPolygon features in
WGS84 longitude/latitude, each naming its district in a property (``name`` unless told
otherwise). What most offices export (QGIS "Save as GeoJSON", an open-data portal) is
that. Checked here, with one clear line for the first problem found: size, JSON, types,
coordinates that are metres rather than degrees (UTM, Gauß-Krüger: re-export as EPSG:4326),
rings that are not closed or have no area, rings that cross themselves or each other
(drawn even-odd a reader would see a knot: the message names where, to be repaired in
QGIS with "Fix geometries"), names twice or unknown in the municipality.

An import replaces the outlines of the districts it names and leaves the others alone,
so importing the same file twice changes nothing.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.core import audit
from survey.core.errors import InvalidInput
from survey.distribution.models import District, DistrictOutline, Municipality
from survey.maps.geometry import MultiPolygon, ring_area, self_crossing

#: a municipality's districts at the detail of an official map fit easily; the maps draw
#: at a few hundred points' width and thin what they draw anyway
MAX_BYTES = 8 * 1024 * 1024
MAX_FEATURES = 500
MAX_POSITIONS = 250_000
DEFAULT_PROPERTY = "name"
#: decimals kept: 6 is about 0.1 m, finer than any outline of a district
DECIMALS = 6
DEMO_FILE = Path(__file__).with_name("demo_districts.geojson")
#: the names GeoJSON of 2008 used for WGS84 in its "crs" member
_WGS84 = ("crs84", "4326")


@dataclass(frozen=True)
class Outline:
    name: str
    #: polygons of rings of (longitude, latitude)
    shape: MultiPolygon


@dataclass
class ImportResult:
    municipality: str
    stored: list[str] = field(default_factory=list)
    #: districts of the municipality that have no outline after the import
    without: list[str] = field(default_factory=list)
    #: names in the file with no such district (only when told to skip them)
    skipped: list[str] = field(default_factory=list)


def _fail(message: str) -> InvalidInput:
    return InvalidInput(message, "file")


def parse(data: bytes, property_name: str = DEFAULT_PROPERTY) -> list[Outline]:
    """The outlines of a GeoJSON file, checked; InvalidInput with one line otherwise."""
    check_size(len(data))
    if not data.strip():
        raise _fail(_("Die Datei ist leer."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(_("Die Datei ist nicht in UTF-8 kodiert, wie GeoJSON es verlangt.")) from None
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise _fail(
            _(
                "Die Datei ist kein gültiges JSON (Zeile %(line)d, Spalte %(column)d).",
                line=error.lineno,
                column=error.colno,
            )
        ) from None
    except (ValueError, RecursionError):
        raise _fail(_("Die Datei ist kein gültiges GeoJSON.")) from None
    kind = document.get("type") if isinstance(document, dict) else None
    if kind != "FeatureCollection":
        raise _fail(
            _(
                "Erwartet wird eine GeoJSON-FeatureCollection, nicht „%(type)s“.",
                type=str(kind if kind is not None else type(document).__name__)[:40],
            )
        )
    _check_crs(document.get("crs"))
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise _fail(_("Die Datei enthält keine Umrisse (die Liste „features“ ist leer)."))
    if len(features) > MAX_FEATURES:
        raise _fail(_("Die Datei hat mehr als %(num)d Umrisse.", num=MAX_FEATURES))
    outlines: list[Outline] = []
    seen: dict[str, int] = {}
    positions = 0
    for index, feature in enumerate(features, start=1):
        name = _name_of(feature, index, property_name)
        if name in seen:
            raise _fail(
                _(
                    "Umriss %(index)d: „%(name)s“ steht schon als Umriss %(first)d in der Datei.",
                    index=index,
                    name=name,
                    first=seen[name],
                )
            )
        seen[name] = index
        try:
            shape = _shape(feature.get("geometry"))
        except _Problem as problem:
            raise _fail(
                _(
                    "Umriss %(index)d (%(name)s): %(problem)s",
                    index=index,
                    name=name,
                    problem=problem.text,
                )
            ) from None
        positions += sum(len(ring) for polygon in shape for ring in polygon)
        if positions > MAX_POSITIONS:
            raise _fail(
                _(
                    "Die Umrisse haben zusammen mehr als %(num)d Punkte. Bitte vereinfachen "
                    "Sie sie, z. B. mit mapshaper.",
                    num=MAX_POSITIONS,
                )
            )
        outlines.append(Outline(name, shape))
    return outlines


def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise _fail(
            _(
                "Die Datei ist zu groß (höchstens %(mb)d MB). Bitte vereinfachen Sie die "
                "Umrisse, z. B. mit mapshaper.",
                mb=MAX_BYTES // (1024 * 1024),
            )
        )


def _no_constant(name: str):
    raise ValueError(name)  # NaN and Infinity are not JSON


def _check_crs(crs) -> None:
    if crs is None:
        return
    named = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if not isinstance(named, str) or not any(w in named.lower() for w in _WGS84):
        raise _fail(
            _(
                "Die Datei nennt das Koordinatensystem „%(crs)s“; erwartet werden Längen- und "
                "Breitengrade in WGS84 (EPSG:4326). Bitte exportieren Sie die Umrisse so.",
                crs=str(named)[:60],
            )
        )


def _name_of(feature, index: int, property_name: str) -> str:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise _fail(_("Umriss %(index)d ist kein GeoJSON-Feature.", index=index))
    properties = feature.get("properties")
    value = properties.get(property_name) if isinstance(properties, dict) else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise _fail(
            _(
                "Umriss %(index)d: die Eigenschaft „%(property)s“ mit dem Namen des "
                "Sozialraums fehlt.",
                index=index,
                property=property_name,
            )
        )
    if len(value.strip()) > 200:
        raise _fail(_("Umriss %(index)d: der Name ist länger als 200 Zeichen.", index=index))
    return value.strip()


class _Problem(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _shape(geometry) -> MultiPolygon:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        if not isinstance(coordinates, list):
            raise _Problem(_("die Koordinaten sind keine Liste von Punkten"))
        if not coordinates:
            raise _Problem(_("die Koordinaten fehlen"))
        polygons = coordinates
    elif kind is None:
        raise _Problem(_("die Geometrie fehlt"))
    else:
        raise _Problem(
            _(
                "Geometrie „%(type)s“ wird nicht unterstützt (nur Polygon und MultiPolygon)",
                type=str(kind)[:40],
            )
        )
    return tuple(_polygon(polygon) for polygon in polygons)


def _polygon(rings) -> tuple:
    if not isinstance(rings, list):
        raise _Problem(_("die Koordinaten sind keine Liste von Punkten"))
    if not rings:
        raise _Problem(_("die Koordinaten fehlen"))
    found = []
    for ring in rings:
        if not isinstance(ring, list):
            raise _Problem(_("die Koordinaten sind keine Liste von Punkten"))
        points = tuple(_position(p) for p in ring)
        if len(points) < 4:
            raise _Problem(_("ein Ring hat weniger als vier Punkte"))
        if points[0] != points[-1]:
            raise _Problem(
                _("ein Ring ist nicht geschlossen (erster und letzter Punkt verschieden)")
            )
        if abs(ring_area(points)) < 1e-12:
            raise _Problem(_("ein Ring hat keine Fläche"))
        found.append(tuple((round(x, DECIMALS), round(y, DECIMALS)) for x, y in points))
    knot = self_crossing(found)
    if knot is not None:
        lon, lat = (format(c, ".5f") for c in knot)
        raise _Problem(
            _(
                "die Umrisslinie kreuzt sich selbst (bei Länge %(lon)s, Breite %(lat)s). "
                "Bitte reparieren Sie den Umriss, z. B. in QGIS mit „Geometrien reparieren“",
                lon=lon,
                lat=lat,
            )
        )
    return tuple(found)


def _position(position) -> tuple[float, float]:
    if (
        not isinstance(position, list)
        or len(position) < 2
        or not all(
            isinstance(c, int | float) and not isinstance(c, bool) and math.isfinite(c)
            for c in position[:2]
        )
    ):
        raise _Problem(_("ein Punkt ist kein Paar von Zahlen"))
    lon, lat = float(position[0]), float(position[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise _Problem(
            _(
                "die Koordinaten sind keine Längen- und Breitengrade (WGS84): vermutlich "
                "Meter (UTM oder Gauß-Krüger). Bitte exportieren Sie die Umrisse als "
                "EPSG:4326."
            )
        )
    return lon, lat


def _geometry_text(shape: MultiPolygon) -> str:
    return json.dumps({"type": "MultiPolygon", "coordinates": shape}, separators=(",", ":"))


def municipality_for(session: Session, name: str | None, districts: list[str]) -> Municipality:
    """The municipality named, or the one there is, or the one that has all these districts."""
    if name:
        found = session.scalar(select(Municipality).where(Municipality.name == name.strip()))
        if found is None:
            raise _fail(_("Die Kommune „%(name)s“ gibt es nicht.", name=name.strip()[:200]))
        return found
    candidates = list(session.scalars(select(Municipality).order_by(Municipality.name)))
    if len(candidates) > 1:
        wanted = set(districts)
        candidates = [m for m in candidates if wanted <= {d.name for d in m.districts}]
    if len(candidates) != 1:
        raise _fail(
            _(
                "Bitte nennen Sie die Kommune, zu der die Umrisse gehören "
                "(survey places import-geo --municipality NAME)."
            )
        )
    return candidates[0]


def store(
    session: Session,
    municipality: Municipality,
    outlines: list[Outline],
    *,
    skip_unknown: bool = False,
) -> ImportResult:
    """Put the outlines on the municipality's districts (flushes; the caller commits)."""
    districts = {
        d.name: d
        for d in session.scalars(
            select(District).where(District.municipality_id == municipality.id)
        )
    }
    unknown = [o.name for o in outlines if o.name not in districts]
    if unknown and not skip_unknown:
        raise _fail(
            _(
                "Diese Sozialräume gibt es in %(municipality)s nicht: %(names)s (bekannt: "
                "%(known)s). Schreibweise prüfen oder den Sozialraum zuerst anlegen.",
                municipality=municipality.name,
                names=", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else ""),
                known=", ".join(sorted(districts)) or "–",
            )
        )
    result = ImportResult(municipality.name, skipped=unknown)
    for outline in outlines:
        district = districts.get(outline.name)
        if district is None:
            continue
        row = session.get(DistrictOutline, district.id)
        if row is None:
            row = DistrictOutline(district_id=district.id, geometry="")
            session.add(row)
        row.geometry = _geometry_text(outline.shape)
        result.stored.append(outline.name)
    session.flush()
    having = set(
        session.scalars(
            select(District.name)
            .join(DistrictOutline, DistrictOutline.district_id == District.id)
            .where(District.municipality_id == municipality.id)
        )
    )
    result.without = sorted(set(districts) - having)
    return result


def import_file(
    session: Session,
    actor_id: int | None,
    data: bytes,
    filename: str,
    municipality: str | None = None,
    property_name: str = DEFAULT_PROPERTY,
) -> ImportResult:
    """Check the file, store its outlines and write the audit entry (the caller commits)."""
    outlines = parse(data, property_name or DEFAULT_PROPERTY)
    place = municipality_for(session, municipality, [o.name for o in outlines])
    result = store(session, place, outlines)
    audit.record(
        session,
        actor_id,
        "places.import",
        f"Umrisse {place.name}",
        f"{filename[:100]}: {len(result.stored)} Umrisse",
    )
    return result


def load_demo(session: Session, municipality: Municipality) -> ImportResult:
    """The demo's synthetic outlines, on those of its districts that exist."""
    return store(session, municipality, parse(DEMO_FILE.read_bytes()), skip_unknown=True)


def shapes(session: Session, municipality_id: int) -> dict[str, MultiPolygon]:
    """District name -> outline (longitude/latitude) of a municipality's outlined districts."""
    rows = session.execute(
        select(District.name, DistrictOutline)
        .join(DistrictOutline, DistrictOutline.district_id == District.id)
        .where(District.municipality_id == municipality_id)
    )
    return {name: outline.shape for name, outline in rows}


# --- the staff page ------------------------------------------------------------------


def municipalities(session: Session) -> list[Municipality]:
    return list(session.scalars(select(Municipality).order_by(Municipality.name)))


@dataclass(frozen=True)
class Overview:
    municipality: Municipality
    #: (district name, has an outline)
    districts: list[tuple[str, bool]]
    #: the outlines drawn, names only (no figures): SVG markup, or None without outlines
    preview: str | None


def overview(session: Session, places: list[Municipality]) -> list[Overview]:
    from survey.maps import choropleth, svg

    found = []
    for municipality in places:
        drawn = shapes(session, municipality.id)
        names = sorted(d.name for d in municipality.districts)
        preview = None
        if drawn:
            chart = choropleth.build(
                _("Umrisse der Sozialräume in %(name)s", name=municipality.name),
                drawn,
                {},
                (),
                k=0,
                empty_label=_("Umriss vorhanden"),
            )
            assert chart is not None
            preview = svg.render(chart, f"umrisse-{municipality.id}", legend=False)
        found.append(Overview(municipality, [(n, n in drawn) for n in names], preview))
    return found
