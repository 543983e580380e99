"""Every kind of report renders for the demo campaign at every level, and ``survey report
--format pdf|html`` writes one per unit."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pdfcheck
import pytest
from document_worlds import build_world
from report_factories import World, make_responses
from sqlalchemy import select

from survey.core.suppress import LEVELS
from survey.distribution.models import Campaign, CampaignState
from survey.distribution.services import ensure_demo
from survey.documents import model, services
from survey.extensions import db
from survey.questionnaires.registry import registry
from survey.reports.services import UnitUnknown

SHIPPED = str(Path(__file__).parent.parent.parent / "questionnaires")


def _answers(questionnaire, rnd: random.Random) -> dict:
    """A plausible answer to every variable of a shipped questionnaire (some left out)."""
    found = {}
    for variable, question, kind in questionnaire.variables():
        if rnd.random() < 0.15:
            continue
        options = [c.value for c in questionnaire.options.get(question.id, ()) if c.value != 98]
        if kind == "code" and options:
            found[variable] = rnd.choice(options)
        elif kind == "codes" and options:
            found[variable] = sorted(rnd.sample(options, min(len(options), rnd.randint(1, 2))))
        elif kind == "number":
            low = question.min if question.min is not None else 0
            high = question.max if question.max is not None else 20
            found[variable] = float(rnd.randint(low, min(high, low + 10)))
        elif kind == "text" and rnd.random() < 0.3:
            found[variable] = rnd.choice(["Mehr Zeit.", "Übersetzung bitte", "شكرا"])
    return found


@pytest.fixture
def demo(app):
    """The demo world, closed, with responses at every school (the demo's own responses
    where ``survey demo`` brings them, else answers made here)."""
    rnd = random.Random(3000)
    with app.app_context():
        ensure_demo(db.session)
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "demo"))
        questionnaires = registry().all()
        world = World(campaign, {s.name: s for s in campaign.schools})
        for i, school in enumerate(campaign.schools):
            for entry in campaign.questionnaires:
                size = [2, 12, 30][i % 3] if entry.audience == "families" else [6, 3][i % 2]
                q = questionnaires[entry.questionnaire_id]
                make_responses(
                    db.session, world, school.name, [_answers(q, rnd) for _ in range(size)],
                    audience=entry.audience, questionnaire=q.id,
                )  # fmt: skip
        campaign.state = CampaignState.CLOSED
        db.session.commit()
        return campaign.slug


@pytest.mark.parametrize("app", [SHIPPED], indirect=True)
def test_every_report_renders_for_the_demo_campaign_at_every_level(app, demo, tmp_path):
    with app.app_context():
        src = services.load(db.session, demo, registry().all(), Path(SHIPPED), 5, date(2026, 12, 1))
        rendered = 0
        for level in LEVELS:
            units = model.units(src, level)
            assert units, level
            for unit in units:
                for analyst in (False, True):
                    report = services.report(db.session, src, level, unit, analyst=analyst)
                    kinds = [s.kind for s in report.sections]
                    assert kinds[0] == "cover" and kinds[1] == "findings" and kinds[-1] == "methods"
                    assert any(k == "theme" for k in kinds)
                    with app.test_request_context():
                        data = services.render(report, "pdf")
                        page = services.render(report, "html").decode()
                    path = tmp_path / services.file_name(report, "pdf")
                    path.write_bytes(data)
                    text = pdfcheck.text(path)
                    name = model.unit_name(src, level, unit)
                    assert name in text and name in page
                    assert "Seite 1 von" in text
                    rendered += 1
        # the largest schools' family reports have their key findings filled (the demo's
        # schools get 2, 12 or 30 families here, by their place in the campaign)
        found = [
            services.report(db.session, src, "school", school, ["families"]).sections[1]
            for school in model.units(src, "school")
        ]
        assert any(f.needs or f.strengths for f in found)
    assert rendered >= 2 * (len(model.units(src, "school")) + 2)


def test_survey_report_writes_a_pdf_and_an_html_file_per_school(app, tmp_path):
    build_world(app)
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["report", "--campaign", "c1", "--level", "school", "--format", "pdf",
              "--out", str(tmp_path / "pdf")]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = sorted((tmp_path / "pdf").glob("*.pdf"))
    assert [p.name for p in written] == [f"c1_school_10000{i}_bericht.pdf" for i in range(1, 6)]
    for path in written:
        pdfcheck.assert_fonts_embedded(path)
        assert "Kernergebnisse" in pdfcheck.text(path)
    result = runner.invoke(
        args=["report", "--campaign", "c1", "--level", "district", "--format", "html",
              "--audience", "families", "--analyst", "--out", str(tmp_path / "html")]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    pages = sorted((tmp_path / "html").glob("*.html"))
    assert [p.name for p in pages] == ["c1_district_nord_bericht_auswertung.html",
                                       "c1_district_sued_bericht_auswertung.html"]  # fmt: skip
    assert "Freitextantworten" in pages[0].read_text()
    assert "Schulpersonal" not in pages[0].read_text().split("Methoden")[0]


def test_survey_report_refuses_bad_combinations(app, tmp_path):
    build_world(app)
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["report", "--campaign", "c1", "--level", "school", "--format", "csv",
              "--analyst", "--out", str(tmp_path)]
    )  # fmt: skip
    assert result.exit_code != 0 and "--analyst" in result.output
    result = runner.invoke(
        args=["report", "--campaign", "c1", "--level", "school", "--format", "pdf",
              "--school", "999999", "--out", str(tmp_path)]
    )  # fmt: skip
    # the CLI root prints typed errors as one line (survey.cli)
    assert isinstance(result.exception, UnitUnknown) and "999999" in str(result.exception)
