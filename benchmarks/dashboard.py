"""The field dashboard's time for a campaign of 300 schools and 100,000 responses.

On a fresh database (SQLite in a temporary folder; PostgreSQL: the database
``mitwirken_bench`` unless ``--pg-url`` names another, created if missing, its
``public`` schema emptied), it builds one campaign with 300 schools in 12 districts,
expected numbers for every school and audience, and 100,000 responses spread
unevenly over schools, audiences, 11 languages and 40 days. Then it times:

- *service, analyst*: ``dashboard.build`` for every school (the GROUP BY queries and
  the assembly in Python);
- *service, coordinator*: the same for one school, with small counts hidden;
- *page, analyst*: ``GET /kampagnen/<id>/feldphase`` through the WSGI app, signed in
  as an analyst (queries, assembly and the 300-row HTML table).

Each is run ``--runs`` times after a warm-up; the script prints median and p95 in ms.

Run:  .venv/bin/python benchmarks/dashboard.py [--db sqlite|postgresql|both] [--runs 30]
"""
# ruff: noqa: E402

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from survey import create_app
from survey.admin import services as accounts
from survey.core import migrate
from survey.core.db import make_engine
from survey.distribution import dashboard
from survey.distribution.models import (
    AUDIENCES,
    Campaign,
    CampaignQuestionnaire,
    CampaignSchool,
    District,
    ExpectedCount,
    Municipality,
    School,
)
from survey.extensions import db
from survey.respond.models import Response

SCHOOLS = 300
RESPONSES = 100_000
LANGUAGES = ["de"] * 12 + ["tr"] * 4 + ["ar"] * 3 + ["uk", "ru", "pl", "bg", "ro", "ku", "fa", "en"]
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/mitwirken_bench"
PASSWORD = "benchmark-passwort"


def fresh_postgres(url: str) -> str:
    """Create the benchmark database if missing and empty it: only one named for benchmarks."""
    target = make_url(url)
    if "bench" not in (target.database or ""):
        raise SystemExit(f"refusing to empty {target.database!r}: its name must contain 'bench'")
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
        ).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def build_world(app) -> int:
    rng = random.Random(11)
    with app.app_context():
        migrate.upgrade(db.engine)
        session = db.session
        municipality = Municipality(name="Benchstadt")
        session.add(municipality)
        session.flush()
        districts = [
            District(name=f"Sozialraum {i + 1}", municipality_id=municipality.id) for i in range(12)
        ]
        session.add_all(districts)
        session.flush()
        schools = [
            School(
                number=f"{100000 + i}",
                name=f"Schule {i + 1:03d}",
                school_type="Grundschule",
                sozialindex=rng.randint(1, 9),
                district_id=districts[i % 12].id,
            )
            for i in range(SCHOOLS)
        ]
        session.add_all(schools)
        campaign = Campaign(
            slug="bench", title="Benchmark", municipality_id=municipality.id, state="open"
        )
        campaign.questionnaires = [
            CampaignQuestionnaire(audience=a, questionnaire_id=a) for a in AUDIENCES
        ]
        session.add(campaign)
        session.flush()
        session.execute(
            insert(CampaignSchool),
            [{"campaign_id": campaign.id, "school_id": s.id} for s in schools],
        )
        session.execute(
            insert(ExpectedCount),
            [
                {
                    "campaign_id": campaign.id,
                    "school_id": s.id,
                    "audience": a,
                    "expected": rng.randint(20, 600),
                }
                for s in schools
                for a in AUDIENCES
            ],
        )
        weights = [rng.random() ** 2 for _ in schools]  # some schools lag far behind
        start = dt.date(2026, 10, 1)
        chosen = rng.choices(schools, weights=weights, k=RESPONSES)
        rows = [
            {
                "id": uuid.uuid4(),
                "campaign_id": campaign.id,
                "school_id": school.id,
                "audience": rng.choices(AUDIENCES, weights=[5, 1, 4, 0.3])[0],
                "questionnaire_id": "families",
                "questionnaire_version": "bench",
                "language": rng.choice(LANGUAGES),
                "submitted_on": start + dt.timedelta(days=rng.randrange(40)),
                "complete": True,
            }
            for school in chosen
        ]
        for i in range(0, len(rows), 10_000):
            session.execute(insert(Response), rows[i : i + 10_000])
        accounts.create_account(
            session, None, "analyse@bench.invalid", "analyst", PASSWORD, [], start
        )
        accounts.create_account(
            session, None, "schule@bench.invalid", "coordinator", PASSWORD, [schools[0]], start
        )
        session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
        return campaign.id


def timed(fn, runs: int) -> tuple[float, float]:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return statistics.median(samples), p95


def run(label: str, url: str, runs: int) -> None:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    began = time.perf_counter()
    campaign_id = build_world(app)
    print(
        f"\n== {label}: {SCHOOLS} schools, {RESPONSES:,} responses (built in {time.perf_counter() - began:.0f} s)"
    )
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        first_school = min(s.id for s in campaign.schools)

        def analyst():
            board = dashboard.build(db.session, campaign, None, None)
            assert len(board.rows) == SCHOOLS and board.total.total.responses.value == RESPONSES

        def coordinator():
            dashboard.build(db.session, campaign, {first_school}, 5)

        rows = [("service, analyst (300 schools)", timed(analyst, runs))]
        rows.append(("service, coordinator (1 school)", timed(coordinator, runs)))
    client = app.test_client()
    client.post("/anmelden", data={"email": "analyse@bench.invalid", "password": PASSWORD})

    def page():
        r = client.get(f"/kampagnen/{campaign_id}/feldphase")
        assert r.status_code == 200

    rows.append(("page, analyst (GET, HTML)", timed(page, runs)))
    print(f"{'what':36} {'median ms':>10} {'p95 ms':>10}")
    for name, (median, p95) in rows:
        print(f"{name:36} {median:10.1f} {p95:10.1f}")
    app.extensions["survey_db"].engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    args = parser.parse_args()
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            run("SQLite", f"sqlite:///{folder}/bench.db", args.runs)
    if args.db in ("postgresql", "both"):
        try:
            url = fresh_postgres(args.pg_url)
        except Exception as exc:  # noqa: BLE001  (report and carry on with what we have)
            print(f"!!!!! PostgreSQL SKIPPED: {exc}")
            return
        run("PostgreSQL", url, args.runs)


if __name__ == "__main__":
    main()
