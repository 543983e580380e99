from __future__ import annotations

import re

import pdfcheck

from survey.core.permissions import Role
from survey.distribution.services import ensure_demo
from survey.extensions import db
from survey.paper.dossier import (
    AUDIENCE_LABELS,
    COLUMN_MEANINGS,
    ROLE_LABELS,
    schema_check,
    stored_columns,
)
from survey.paper.services import minutes
from survey.questionnaires.registry import registry


def _dossier(app, tmp_path):
    with app.app_context():
        ensure_demo(db.session)
    out = tmp_path / "dossier"
    result = app.test_cli_runner().invoke(args=["dossier", "--campaign", "demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_the_dossier_names_every_audience_questionnaire_and_the_minimum_group_size(app, tmp_path):
    app.config["MIN_GROUP_SIZE"] = 7
    out = _dossier(app, tmp_path)
    pdf = out / "genehmigung-demo.pdf"
    pdfcheck.assert_fonts_embedded(pdf)
    text = re.sub(r"\s+", " ", pdfcheck.text(pdf))
    with app.app_context():
        questionnaires = registry().all()
    for audience, label in AUDIENCE_LABELS.items():
        assert label.split(" (")[0] in text, audience
    for questionnaire in questionnaires.values():
        assert f"({questionnaire.id})" in text
        assert questionnaire.title in text
        low, high = minutes(questionnaire)
        span = str(high) if low == high else f"{low}–{high}"
        assert f"etwa {span} Minuten" in text, questionnaire.id
    assert "Ergebnisse werden nur für Gruppen ab 7 Antworten gezeigt" in text
    assert "Mindestgruppengröße 7" in text
    # what is stored comes from the schema itself
    for column in stored_columns()["response"]:
        if column != "id":
            assert column in text


def test_every_questionnaire_is_annexed_in_every_offered_language(app, tmp_path):
    out = _dossier(app, tmp_path)
    annexes = sorted(p.name for p in out.glob("anlage-*.pdf"))
    # the fixture questionnaires are offered in German only
    assert annexes == sorted(f"anlage-{a}-de.pdf" for a in AUDIENCE_LABELS)
    for annex in out.glob("anlage-*.pdf"):
        pdfcheck.assert_fonts_embedded(annex)


def test_the_project_team_can_edit_the_text(app, tmp_path):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "dossier.de.md").write_text(
        "# Unser eigener Text\nMindestens {{ min_group_size }} Antworten.\n", encoding="utf-8"
    )
    app.instance_path = str(tmp_path / "instance")
    text = pdfcheck.text(_dossier(app, tmp_path) / "genehmigung-demo.pdf")
    assert "Unser eigener Text" in text and "Mindestens 5 Antworten." in text


def test_the_schema_check_finds_no_identifying_column():
    assert schema_check().startswith("Geprüft am Datenbankschema")


def test_every_stored_column_is_explained_and_no_placeholder_is_left(app, tmp_path):
    import datetime as dt

    from sqlalchemy import select

    from survey.distribution.models import Campaign

    app.config.update(
        RESPONSIBLE_BODY="Stadt Emscherstadt, Amt 51, Rathausplatz 1", RETENTION_MONTHS=18
    )
    with app.app_context():
        ensure_demo(db.session)
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "demo"))
        campaign.opens_on, campaign.closes_on = dt.date(2027, 2, 1), dt.date(2027, 3, 12)
        db.session.commit()
    out = tmp_path / "dossier"
    result = app.test_cli_runner().invoke(args=["dossier", "--campaign", "demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = re.sub(r"\s+", " ", pdfcheck.text(out / "genehmigung-demo.pdf"))
    for table, names in stored_columns().items():
        for name in names:
            assert COLUMN_MEANINGS[table].get(name), (
                f"{table}.{name} has no meaning for the dossier"
            )
            assert COLUMN_MEANINGS[table][name] in text
    assert "ohne Beschreibung" not in text
    for placeholder in ("einzutragen", "TODO", "[", "…", "..."):
        assert placeholder not in text, placeholder
    assert "vom 01.02.2027 bis zum 12.03.2027" in text  # the timetable from the campaign
    assert "Stadt Emscherstadt, Amt 51, Rathausplatz 1" in text  # Art. 30: responsible body
    assert "spätestens 18 Monate nach dem Ende der Befragung" in text
    for label, _may in ROLE_LABELS.values():
        assert label in text
    assert {r.value for r in Role} == set(ROLE_LABELS)
