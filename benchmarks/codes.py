"""One-time access codes: time to issue and print a batch, and to check and consume one.

A fresh SQLite database in a temp dir (or ``--database-url`` naming a database whose name
contains ``bench``) gets one campaign with one school; then ``--count`` codes are issued
and their slip sheet written exactly as ``survey codes issue`` does (service + PDF), with
wall and CPU time for each part, pages and file size. The PDF is not kept.

Run:  .venv/bin/python benchmarks/codes.py [--count 1000] [--lang de,ar]
"""
# ruff: noqa: E402

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from survey import create_app
from survey.core import migrate
from survey.core.db import make_engine
from survey.distribution import codes
from survey.distribution.models import (
    Campaign,
    CampaignQuestionnaire,
    CampaignSchool,
    District,
    Municipality,
    School,
)
from survey.extensions import db


def timed(step):
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--lang", default="de,ar")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        if "bench" not in url:
            sys.exit("--database-url: the database name must contain 'bench'")
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        app = create_app(
            {"DATABASE_URL": url, "SECRET_KEY": "bench", "BASE_URL": "https://umfrage.example.de"},
            instance_path=tmp,
        )
        with app.app_context():
            municipality = Municipality(name="Benchstadt")
            district = District(name="Mitte", municipality=municipality)
            school = School(
                number="123456",
                name="Grundschule am Benchmark",
                school_type="Grundschule",
                district=district,
            )
            campaign = Campaign(
                slug="bench-codes", title="Benchmark", municipality=municipality, state="open"
            )
            campaign.questionnaires.append(
                CampaignQuestionnaire(audience="families", questionnaire_id="families")
            )
            db.session.add_all([municipality, district, school, campaign])
            db.session.flush()
            db.session.add(CampaignSchool(campaign_id=campaign.id, school_id=school.id))
            db.session.commit()
            db.session.expire_all()
            languages = tuple(args.lang.split(","))
            issued, wall_issue, cpu_issue = timed(
                lambda: codes.issue(
                    db.session,
                    None,
                    campaign,
                    school,
                    "families",
                    args.count,
                    "bench",
                    campaign.opens_on or __import__("datetime").date.today(),
                )
            )
            buffer = io.BytesIO()
            pages, wall_pdf, cpu_pdf = timed(
                lambda: codes.print_batch(
                    buffer,
                    db.session,
                    None,
                    issued,
                    campaign,
                    school,
                    app.config["BASE_URL"],
                    languages,
                )
            )
            _none, wall_commit, cpu_commit = timed(db.session.commit)
            print(f"codes issued:          {args.count} ({url.split(':', 1)[0]})")
            print(f"issue (generate, hash, insert): {wall_issue:.2f} s wall, {cpu_issue:.2f} s CPU")
            print(
                f"slip sheet PDF:        {wall_pdf:.2f} s wall, {cpu_pdf:.2f} s CPU, "
                f"{pages} pages, {len(buffer.getvalue()) / 1024:.0f} KiB, languages {args.lang}"
            )
            print(f"commit:                {wall_commit:.2f} s wall")
            print(
                f"total:                 {wall_issue + wall_pdf + wall_commit:.2f} s wall, "
                f"{cpu_issue + cpu_pdf + cpu_commit:.2f} s CPU"
            )
        app.extensions["survey_db"].engine.dispose()


if __name__ == "__main__":
    main()
