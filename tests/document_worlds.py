"""Worlds for the documents' tests: the report factories' schools with known answers."""

from __future__ import annotations

import dataclasses
import random
from datetime import date
from pathlib import Path

from report_factories import make_responses, make_world, random_family

from survey.documents import model, services
from survey.extensions import db
from survey.questionnaires.loader import load_directory

FIXTURES = Path(__file__).parent / "fixtures" / "questionnaires"
QUESTIONNAIRES, _problems = load_directory(FIXTURES)
K = 5
TODAY = date(2026, 12, 1)

SCHOOLS = {
    "Nordschule": ("Nord", "Grundschule"),
    "Hafenschule": ("Nord", "Grundschule"),
    "Kleine Schule": ("Nord", "Förderschule"),
    "Südschule": ("Süd", "Gesamtschule"),
    "Bergschule": ("Süd", "Grundschule"),
}
SIZES = {"Nordschule": 40, "Hafenschule": 23, "Kleine Schule": 3, "Südschule": 31, "Bergschule": 9}
STAFF = {"Nordschule": 8, "Hafenschule": 2, "Südschule": 6}

#: free text no renderer may interpret: markup, entities, a PDF header, an operator, a
#: 300-character word, Arabic, emoji
HOSTILE = (
    '<b>fett</b> & <script>alert("x")</script> &amp; <para>',
    "%PDF-1.4 ) Tj ET BT /F1 99 Tf (gefälscht",
    "Wort" + "x" * 296,
    "نريد مزيدًا من المعلومات باللغة العربية (مدرسة)",
    "Danke 👍🏽 für alles ❤️",
    "Rufen Sie mich an: 0171 2345678 oder eltern@example.org",
)


def random_staff(rnd: random.Random) -> dict:
    return {"role": rnd.choice([1, 2, 3, 4]), "families_welcome": rnd.choice([1, 2, 3, 4, 99])}


def build_world(app, seed: int = 12, hostile: bool = False):
    rnd = random.Random(seed)
    with app.app_context():
        world = make_world(
            db.session, SCHOOLS, questionnaires={"families": "families", "staff": "staff"}
        )
        for school, size in SIZES.items():
            answers = [random_family(rnd) for _ in range(size)]
            if hostile and school == "Nordschule":
                for given, text in zip(answers, HOSTILE, strict=False):
                    given["wish"] = text
            make_responses(db.session, world, school, answers)
        for school, size in STAFF.items():
            make_responses(
                db.session, world, school, [random_staff(rnd) for _ in range(size)],
                audience="staff", questionnaire="staff",
            )  # fmt: skip
        db.session.commit()
        return world


def load(app):
    with app.app_context():
        return services.load(db.session, "c1", QUESTIONNAIRES, FIXTURES, K, TODAY)


def shown_values(obj) -> list:
    """Every ``model.Shown`` inside a report (or part of one)."""
    found = []
    if isinstance(obj, model.Shown):
        return [obj]
    if dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            found += shown_values(getattr(obj, f.name))
    elif isinstance(obj, tuple | list):
        for item in obj:
            found += shown_values(item)
    return found
