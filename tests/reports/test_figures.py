"""Figures of a campaign against an independent count of the answers stored."""

from __future__ import annotations

import csv
import io
import random
import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
from report_factories import (
    SCHOOLS,
    SIZES,
    make_families,
    make_world,
)

from survey.core.suppress import ALL
from survey.distribution.models import CampaignState
from survey.extensions import db
from survey.questionnaires.loader import load_directory
from survey.reports import services
from survey.reports.aggregate import weighted_quantiles
from survey.reports.figures import TIDY_COLUMNS
from survey.reports.outputs import tidy_csv

FIXTURES = Path(__file__).parent.parent / "fixtures" / "questionnaires"
QUESTIONNAIRES, _problems = load_directory(FIXTURES)
K = 5


@pytest.fixture
def world(app):
    rnd = random.Random(16)
    with app.app_context():
        world = make_world(db.session, SCHOOLS)
        make_families(db.session, world, SIZES, rnd)
        db.session.commit()
        yield world


def independent(world, school_district: dict[str, str]):
    """Counts by level, unit, variable and value, straight from the answers given."""
    counts: dict[tuple, Counter] = defaultdict(Counter)
    for school, _audience, _qid, _lang, answers in world.answers:
        units = [("school", world.schools[school].number), ("district", school_district[school]),
                 ("municipality", "Musterstadt")]  # fmt: skip
        for variable, value in answers.items():
            if isinstance(value, str):
                continue
            for unit in units:
                c = counts[(*unit, variable)]
                c[ALL] += 1
                if isinstance(value, list):
                    for v in value:
                        c[str(v)] += 1
                elif isinstance(value, int):
                    c[str(value)] += 1
    return counts


def build(app, **kwargs):
    with app.app_context():
        return services.build(db.session, "c1", QUESTIONNAIRES, K, **kwargs)


def test_every_published_figure_equals_an_independent_count(app, world):
    built = build(app)
    tidy = built.figures.tidy
    truth = independent(world, {s: d for s, (d, _t) in SCHOOLS.items()})
    assert not tidy.empty
    for row in tidy.itertuples(index=False):
        true_n = truth[(row.level, row.unit, row.question)][row.value]
        if row.status == "published":
            assert row.n == true_n, row
        else:
            assert np.isnan(row.n) and np.isnan(row.percent)
        if 0 < true_n < K:
            assert row.status != "published", row
        if 0 < truth[(row.level, row.unit, row.question)][ALL] < K:
            assert row.status != "published", row  # a group below k shows nothing, not a 0
        if row.value != ALL and row.status == "published":
            total = tidy[(tidy.level == row.level) & (tidy.unit == row.unit)
                         & (tidy.question == row.question) & (tidy.value == ALL)].n.iloc[0]  # fmt: skip
            if np.isnan(total):
                assert np.isnan(row.percent)
            else:
                assert row.percent == round(true_n / total * 100, 1)
    # free text is never counted; the small school shows nothing at all
    assert "wish" not in set(tidy.question)
    small = world.schools["Kleine Schule"].number
    assert (tidy[tidy.unit == small].status != "published").all()


def test_scale_means_exclude_dont_know_and_quartiles_match_numpy(app, world):
    built = build(app)
    stats = built.figures.stats
    muni = stats[(stats.level == "municipality") & (stats.question == "welcome")]
    welcome = [a["welcome"] for *_x, a in world.answers if "welcome" in a]
    valid = [v for v in welcome if v != 99]
    mean = muni[muni.statistic == "mean"].value.iloc[0]
    assert mean == round(sum(valid) / len(valid), 2)
    top = muni[muni.statistic == "top2_percent"].value.iloc[0]
    assert top == round(sum(v >= 3 for v in valid) / len(valid) * 100, 1)
    counts = [a["children_count"] for *_x, a in world.answers if "children_count" in a]
    kids = stats[(stats.level == "municipality") & (stats.question == "children_count")]
    expected = np.quantile(counts, [0.25, 0.5, 0.75])
    assert list(kids.set_index("statistic").loc[["q1", "median", "q3"], "value"]) == list(expected)


def test_weighted_quantiles_equal_numpy_on_the_expanded_data():
    import pandas as pd

    rnd = random.Random(3)
    for _ in range(50):
        data = [rnd.randint(0, 9) for _ in range(rnd.randint(1, 40))]
        c = Counter(data)
        got = weighted_quantiles(pd.Series(list(c)), pd.Series(list(c.values())))
        assert got == pytest.approx(list(np.quantile(data, [0.25, 0.5, 0.75])))


def _read(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_tidy_csv_survives_differencing_within_a_unit_and_across_levels(app, world):
    built = build(app)
    rows = _read(tidy_csv(built.figures.tidy))
    assert list(rows[0]) == TIDY_COLUMNS
    by_key: dict[tuple, dict[str, str]] = defaultdict(dict)
    for r in rows:
        by_key[(r["level"], r["unit"], r["question"])][r["value"]] = r["n"]
    multi = {"info_channel"}
    # within a unit: (all) minus the visible values
    for (_level, _unit, question), values in by_key.items():
        if question in multi or values.get(ALL, "") == "":
            continue
        hidden = [v for v, n in values.items() if v != ALL and n == ""]
        rest = int(values[ALL]) - sum(int(n) for v, n in values.items() if v != ALL and n != "")
        assert len(hidden) != 1, (question, values)
        assert not 0 < rest < K or not hidden
    # across levels: the district minus its visible schools
    district_of = {world.schools[s].number: d for s, (d, _t) in SCHOOLS.items()}
    for (level, unit, question), values in by_key.items():
        if level != "district":
            continue
        schools = [s for s, d in district_of.items() if d == unit]
        for value, n in values.items():
            if n == "":
                continue
            cells = [by_key.get(("school", s, question), {}).get(value) for s in schools]
            present = [c for c in cells if c is not None]
            hidden = [c for c in present if c == ""]
            rest = int(n) - sum(int(c) for c in present if c != "")
            assert len(hidden) != 1, (unit, question, value, cells)
            assert not 0 < rest < K or not hidden


def test_two_builds_are_byte_identical(app, world):
    first = tidy_csv(build(app).figures.tidy)
    second = tidy_csv(build(app).figures.tidy)
    assert first == second


def test_an_open_campaign_is_refused_unless_previewed(app, world):
    with app.app_context():
        world.campaign.state = CampaignState.OPEN
        db.session.commit()
    with pytest.raises(services.CampaignStillOpen):
        build(app)
    assert build(app, preview=True).preview


def test_formula_injection_is_neutralised():
    import pandas as pd

    frame = pd.DataFrame(
        [["school", "=1+1", "+d", "@a", "-q", "families", "x", 5.0, 50.0]], columns=TIDY_COLUMNS
    )
    row = _read(tidy_csv(frame))[0]
    assert row["unit"] == "'=1+1" and row["parent"] == "'+d" and row["audience"] == "'@a"
    assert row["questionnaire"] == "'-q" and row["n"] == "5" and row["percent"] == "50"


def test_survey_report_writes_one_file_per_unit(app, world, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["report", "--campaign", "c1", "--level", "district", "--format", "csv",
              "--out", str(tmp_path)]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in tmp_path.iterdir())
    # each unit's tidy CSV, and its breakdowns beside it
    assert files == [f"c1_district_{d}{part}.csv" for d in ("nord", "ost", "sued")
                     for part in ("", "_breakdowns")]  # fmt: skip
    rows = _read((tmp_path / "c1_district_nord.csv").read_bytes())
    assert {r["unit"] for r in rows} == {"Nord"} and {r["parent"] for r in rows} == {"Musterstadt"}
    one = world.schools["Nordschule"].number
    result = runner.invoke(
        args=["report", "--campaign", "c1", "--level", "school", "--school", one,
              "--out", str(tmp_path / "s")]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == [
        f"c1_school_{one}.csv", f"c1_school_{one}_breakdowns.csv"
    ]  # fmt: skip
    audited = runner.invoke(
        args=["report", "--campaign", "c1", "--level", "municipality", "--audit",
              "--out", str(tmp_path / "m")]
    )  # fmt: skip
    assert audited.exit_code == 0, audited.output
    assert "school: published" in audited.stderr and "LP audit of" in audited.stderr
    assert "0 with a hidden count that can be worked out" in audited.stderr
    assert "breakdowns, district: " in audited.stderr
    joint = re.search(r"over all (\d+) joint systems: (\d+) with a hidden", audited.stderr)
    assert joint and int(joint[1]) > 10 and joint[2] == "0"
    refused = runner.invoke(
        args=["report", "--campaign", "nope", "--level", "school", "--out", str(tmp_path)]
    )
    assert isinstance(refused.exception, services.CampaignUnknown)


def test_building_a_report_writes_nothing(app, world):
    from sqlalchemy import event

    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement.lstrip().split(None, 1)[0].upper())

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            services.build(db.session, "c1", QUESTIONNAIRES, K)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert seen and set(seen) <= {"SELECT", "PRAGMA"}


@pytest.mark.parametrize("language", ["de", "ar"])
def test_the_workbook_has_its_sheets_and_is_byte_identical(app, world, tmp_path, language):
    import re
    import zipfile

    one = world.schools["Nordschule"].number
    with app.app_context():
        built = services.build(db.session, "c1", QUESTIONNAIRES, K)
        first = services.write(built, "school", "xlsx", tmp_path / "a", [one], language)[0]
        second = services.write(built, "school", "xlsx", tmp_path / "b", [one], language)[0]
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as book:
        names = re.findall(r'<sheet name="([^"]+)"', book.read("xl/workbook.xml").decode())
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        shared = book.read("xl/sharedStrings.xml").decode()
    assert len(names) >= 4
    if language == "de":
        assert names[0] == "Übersicht" and names[-2:] == ["Codebuch", "Methoden"]
        assert "weniger als 5" in shared
    assert ('rightToLeft="1"' in sheet) is (language == "ar")
    assert not re.search(r"<t[^>]*>[=+@]", shared)


@pytest.mark.parametrize("breakdown", ["language", "school_type"])
def test_breakdown_counts_equal_an_independent_count(app, world, breakdown):
    from survey.reports import aggregate

    with app.app_context():
        frame = aggregate.code_counts(db.session, world.campaign.id, breakdown=breakdown)
    got = {
        (r.school_id, r.group, r.variable, r.code): r.n
        for r in frame.itertuples(index=False)
        if r.variable == "welcome"
    }
    expected: Counter = Counter()
    for school, _aud, _qid, language, answers in world.answers:
        if "welcome" in answers:
            group = language if breakdown == "language" else SCHOOLS[school][1]
            expected[(world.schools[school].id, group, "welcome", answers["welcome"])] += 1
    assert got == dict(expected)
