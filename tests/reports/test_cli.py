"""`survey report`: workbooks of many units are written by worker processes."""

from __future__ import annotations

import random
from pathlib import Path

from report_factories import make_responses, make_world, random_family

from survey.extensions import db
from survey.questionnaires.registry import registry
from survey.reports import cli as report_cli
from survey.reports import services

SCHOOLS = {f"Schule {i}": (f"Bezirk {i % 2}", "Grundschule") for i in range(7)}


def test_workers_write_the_same_workbooks_as_one_process(app, tmp_path, monkeypatch):
    rnd = random.Random(4)
    with app.app_context():
        world = make_world(db.session, SCHOOLS)
        for school in SCHOOLS:
            make_responses(db.session, world, school, [random_family(rnd) for _ in range(8)])
        db.session.commit()
    app.config["REPORT_WORKERS"] = 2
    started: list[int] = []
    real = report_cli._write_in_workers
    monkeypatch.setattr(
        report_cli,
        "_write_in_workers",
        lambda *args: started.append(args[-1]) or real(*args),
    )
    result = app.test_cli_runner().invoke(
        args=["report", "--campaign", "c1", "--level", "school", "--format", "xlsx",
              "--out", str(tmp_path / "w")]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert started == [2]
    printed = [Path(line) for line in result.stdout.splitlines()]
    assert len(printed) == 7 and printed == sorted(printed)
    with app.app_context():
        built = services.build(db.session, "c1", registry().all(), 5, with_breakdowns=True)
        alone = services.write(built, "school", "xlsx", tmp_path / "one")
    assert [p.name for p in alone] == [p.name for p in printed]
    for mine, theirs in zip(alone, printed, strict=True):
        assert mine.read_bytes() == theirs.read_bytes(), mine.name
