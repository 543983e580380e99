"""``survey demo --responses N``: synthetic responses that are valid, realistic, stored as
real submits store them, in a closed campaign whose reports can be built at once."""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict

import pytest
from conftest import TODAY
from sqlalchemy import func, select

from survey.config import Defaults
from survey.core.errors import SurveyError
from survey.distribution import dashboard, synthetic
from survey.distribution.models import Campaign, CampaignState, School
from survey.distribution.services import DEMO_SCHOOLS
from survey.extensions import db
from survey.questionnaires.registry import registry
from survey.respond.answers import answer_rows, definition_problems, typed_answers
from survey.respond.models import Answer, Response
from survey.respond.steps import visible_questions, visible_steps

SHIPPED = pytest.mark.parametrize("app", [Defaults.QUESTIONNAIRE_DIR], indirect=True)
BOTH = pytest.mark.parametrize(
    "app", [Defaults.QUESTIONNAIRE_DIR, "tests/fixtures/questionnaires"], indirect=True
)


def _demo(app, *args: str):
    result = app.test_cli_runner().invoke(args=["demo", *args])
    assert result.exit_code == 0, result.output
    return result


def _campaign() -> Campaign:
    return db.session.scalars(select(Campaign).where(Campaign.slug == "demo")).one()


def _groups() -> dict[tuple[str, str], int]:
    return {
        (number, audience): n
        for number, audience, n in db.session.execute(
            select(School.number, Response.audience, func.count())
            .join(School, School.id == Response.school_id)
            .group_by(School.number, Response.audience)
        )
    }


def _raw(rows: list[Answer]) -> dict[str, list[str]]:
    """Stored rows back as a form would have posted them."""
    raw: dict[str, list[str]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.variable, r.ordinal)):
        if row.code is not None:
            raw[row.variable].append(str(row.code))
        elif row.number is not None:
            assert row.number == int(row.number)
            raw[row.variable].append(str(int(row.number)))
        else:
            raw[row.variable].append(row.text)
    return dict(raw)


def _key(row: dict) -> tuple:
    return (
        row["variable"],
        row["ordinal"],
        row.get("code"),
        None if row.get("number") is None else float(row["number"]),
        row.get("text"),
    )


@BOTH
def test_every_response_is_valid_and_stored_as_a_real_submit_stores_it(app):
    """A sample of stored responses passes the submit's own check, and the submit's own
    encoding of the same answers gives exactly the stored rows."""
    result = _demo(app, "--responses", "300")
    assert "300 synthetic responses" in result.stderr
    with app.app_context():
        questionnaires = registry().all()
        ids = sorted(db.session.scalars(select(Response.id)), key=str)
        assert len(ids) == 300
        for response_id in random.Random(1).sample(ids, 80):
            response = db.session.get(Response, response_id)
            questionnaire = questionnaires[response.questionnaire_id]
            assert response.questionnaire_version == questionnaire.version
            assert response.complete is True
            raw = _raw(response.answers)
            assert definition_problems(questionnaire, raw) == []
            typed = typed_answers(questionnaire, raw)
            questions = [
                q
                for step in visible_steps(questionnaire, typed)
                for q in visible_questions(questionnaire, step, typed)
            ]
            stored = sorted(
                (_key({c: getattr(a, c) for c in synthetic.ANSWER_COLUMNS}))
                for a in response.answers
            )
            assert stored == sorted(_key(r) for r in answer_rows(questionnaire, questions, raw))


@SHIPPED
def test_responses_are_spread_realistically_and_the_campaign_is_closed(app):
    _demo(app, "--responses", "1200")
    with app.app_context():
        campaign = _campaign()
        assert campaign.state == CampaignState.CLOSED
        groups = _groups()
        assert sum(groups.values()) == 1200
        assert {n for n, _a in groups} == {s.number for s in DEMO_SCHOOLS}
        # every audience answers, families most, partners least
        by_audience = Counter()
        for (_n, audience), count in groups.items():
            by_audience[audience] += count
        assert by_audience["families"] > by_audience["children"] > by_audience["staff"]
        assert 0 < by_audience["partners"] < by_audience["staff"]
        # some groups small enough that suppression bites
        k = app.config["MIN_GROUP_SIZE"]
        assert any(0 < n < k for n in groups.values())
        languages = Counter(
            dict(
                db.session.execute(
                    select(Response.language, func.count()).group_by(Response.language)
                ).all()
            )
        )
        assert languages.most_common(1)[0][0] == "de"
        assert len(languages) >= 6
        assert languages["de"] < 0.9 * 1200
        # skewed answers, "don't know", skipped questions
        codes = Counter(
            dict(
                db.session.execute(
                    select(Answer.code, func.count())
                    .where(Answer.variable == "school_welcome")
                    .group_by(Answer.code)
                ).all()
            )
        )
        assert codes[99] > 0
        points = [codes[c] for c in (1, 2, 3, 4)]
        assert max(points) > 2 * min(points)
        families = by_audience["families"]
        assert 0 < sum(codes.values()) < families  # some left the question out
        days = db.session.scalars(select(Response.submitted_on).distinct()).all()
        assert len(days) > 15
        assert campaign.opens_on <= min(days) and max(days) <= campaign.closes_on


@SHIPPED
def test_free_texts_are_generic_phrases_in_several_scripts(app):
    _demo(app, "--responses", "1500")
    with app.app_context():
        texts = set(db.session.scalars(select(Answer.text).where(Answer.text.is_not(None))))
    phrases = {p for ps in synthetic.PHRASES.values() for p in ps}
    phrases |= {p for ps in synthetic.OTHER_PHRASES.values() for p in ps}
    assert texts and texts <= phrases
    assert not any(re.search(r"\d|@", t) for t in texts)
    scripts = {
        "latin": r"[a-zäöü]",
        "arabic": r"[\u0600-\u06ff]",
        "cyrillic": r"[\u0400-\u04ff]",
    }
    assert all(any(re.search(s, t) for t in texts) for s in scripts.values())


@SHIPPED
def test_run_twice_the_responses_are_replaced_and_the_seed_decides_them(app):
    def snapshot():
        with app.app_context():
            return (
                _groups(),
                db.session.scalar(select(func.count()).select_from(Answer)),
                db.session.scalar(select(func.sum(Answer.code))),
            )

    _demo(app, "--responses", "200")
    first = snapshot()
    _demo(app, "--responses", "200")
    assert snapshot() == first  # replaced, not added; the same seed gives the same
    _demo(app, "--responses", "200", "--seed", "7")
    other = snapshot()
    assert sum(other[0].values()) == 200 and other != first
    _demo(app, "--responses", "0")
    assert snapshot()[:2] == ({}, 0)


@SHIPPED
def test_survey_demo_without_responses_opens_the_campaign_again(app):
    urls = _demo(app, "--responses", "100").stdout.splitlines()
    assert len(urls) == len(DEMO_SCHOOLS) * 4
    client = app.test_client()
    path = urls[0].split("5000", 1)[1]
    assert client.get(path).status_code == 410  # closed: the field phase is over
    _demo(app)
    with app.app_context():
        assert _campaign().state == CampaignState.OPEN
        assert db.session.scalar(select(func.count()).select_from(Response)) == 100
    assert client.get(path).status_code == 200


def test_allocation_sums_to_n_and_small_groups_stay_small():
    groups = [
        synthetic.Group(1, "990101", 5, "families", "families", 200, 100.0),
        synthetic.Group(1, "990101", 5, "partners", "partners", 4, 2.2),
        synthetic.Group(2, "990102", 5, "families", "families", 50, 25.0),
        synthetic.Group(2, "990102", 5, "staff", "staff", 0, 0.0),
    ]
    for total in (0, 1, 2, 7, 127, 100_000):
        counts = synthetic.allocate(total, groups)
        assert sum(counts) == total
        assert counts[1] <= 2 and counts[3] == 0
    assert synthetic.allocate(100_000, groups)[0] == pytest.approx(80_000, abs=2)


@SHIPPED
def test_reports_and_dashboard_after_3000_responses(app, tmp_path):
    _demo(app, "--responses", "3000")
    runner = app.test_cli_runner()
    expected = {"school": len(DEMO_SCHOOLS), "district": 3, "municipality": 1}
    for level, files in expected.items():
        out = tmp_path / level
        result = runner.invoke(
            args=["report", "--campaign", "demo", "--level", level, "--format", "csv"]
            + ["--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        written = sorted(p for p in out.iterdir() if not p.name.endswith("_breakdowns.csv"))
        assert len(written) == files
        assert len(list(out.glob("*_breakdowns.csv"))) == files  # each beside its unit's
        text = written[0].read_text("utf-8-sig")
        assert text.startswith("level,unit,parent,audience,questionnaire,question,value,n,percent")
        assert len(text.splitlines()) > 100
    district = (tmp_path / "district" / "demo_district_mitte.csv").read_text("utf-8-sig")
    assert ",families,families,school_welcome,(all)," in district

    # The field dashboard of the same campaign: plausible response rates.
    with app.app_context():
        board = dashboard.build(db.session, _campaign(), None, None)
        coordinator = dashboard.build(db.session, _campaign(), None, app.config["MIN_GROUP_SIZE"])
    assert board.total.total.responses.value == 3000
    assert 0.4 < board.total.total.rate < 0.8
    rates = [row.total.rate for row in board.rows]
    assert all(0.15 < r < 1.0 for r in rates)
    assert max(rates) - min(rates) > 0.2  # some schools lag behind
    assert any(c.responses.hidden for row in coordinator.rows for c in row.cells.values())


def test_a_missing_questionnaire_is_a_clear_error(app):
    with app.app_context():
        from survey.distribution.services import demo_campaign, ensure_demo

        ensure_demo(db.session)
        questionnaires = dict(registry().all())
        del questionnaires["partners"]
        with pytest.raises(SurveyError, match="no valid questionnaire partners"):
            synthetic.fill(db.session, demo_campaign(db.session), questionnaires, 10, TODAY)
        db.session.rollback()
        assert demo_campaign(db.session).state == CampaignState.OPEN


def test_the_demo_is_closed_as_the_staff_area_closes_it_with_its_answers_frozen(app):
    """Reports of a closed campaign read the counts frozen at its close: after a new fill
    they must describe the new responses, and reopening must forget them."""
    from survey.distribution.models import FrozenRespondents
    from survey.reports.aggregate import is_frozen

    def frozen_total() -> int:
        return db.session.scalar(select(func.coalesce(func.sum(FrozenRespondents.n), 0)))

    _demo(app, "--responses", "150")
    with app.app_context():
        assert is_frozen(db.session, _campaign().id) and frozen_total() == 150
    _demo(app, "--responses", "90", "--seed", "3")
    with app.app_context():
        assert frozen_total() == 90  # the earlier counts went with the earlier responses
    _demo(app)
    with app.app_context():
        assert not is_frozen(db.session, _campaign().id)
