"""Benchmarks of the report engine against the budgets in DESIGN.md ("Budgets").

1. A generator fills a fresh database with a campaign of any size: S schools in D
   districts, the four shipped questionnaires, skewed answers, some schools small
   enough that suppression bites (bulk inserts, chunked: memory stays flat).
2. The campaign-level report (aggregation in SQL, suppression of every level,
   indicators, the municipality's CSV) runs in a fresh process per measurement:
   wall time and peak memory (ru_maxrss), beside the memory of a process that only
   imports the same modules.
3. Every school report of the campaign (`survey report --level school`): time.
4. How many cells primary and secondary suppression hide at each level, and the
   narrowest interval the LP audit finds (on a sample of the systems).

Run:  .venv/bin/python benchmarks/reports.py [--answers 1000000] [--db sqlite|postgresql|both]
      [--schools 100] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/mw_issue16]
      [--keep DIR] [--no-audit]
"""
# ruff: noqa: E402

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/mw_issue16"
LANGUAGES = ["de"] * 6 + ["tr"] * 2 + ["ar", "uk", "ru", "pl", "bg", "ro", "ku", "fa"]
AUDIENCE_SHARE = {"families": 0.6, "staff": 0.12, "children": 0.23, "partners": 0.05}


def generate(url: str, answers: int, schools: int, districts: int, seed: int = 16) -> dict:
    """Fill the database at ``url`` (migrated, empty) with one closed campaign."""
    import numpy as np
    from sqlalchemy import insert

    from survey.core.db import make_engine
    from survey.distribution.models import (
        Campaign,
        CampaignQuestionnaire,
        District,
        Municipality,
        School,
    )
    from survey.questionnaires.loader import load_directory
    from survey.respond.models import Answer, Response

    rng = np.random.default_rng(seed)
    questionnaires, _ = load_directory(ROOT / "questionnaires")
    engine = make_engine(url)
    plans = {}
    for audience in AUDIENCE_SHARE:
        q = questionnaires[audience]
        plan = []
        for variable, question, kind in q.variables():
            if kind == "text":
                continue
            if kind == "number":
                low = question.min if question.min is not None else 0
                high = question.max if question.max is not None else 40
                plan.append((variable, kind, np.arange(low, min(high, low + 40) + 1)))
            else:
                codes = np.array([c.value for c in q.options[question.id] if c.value != 98])
                plan.append((variable, kind, codes))
        plans[audience] = (q, plan)
    per_response = {a: len(p) * 0.8 for a, (_q, p) in plans.items()}
    mean_answers = sum(AUDIENCE_SHARE[a] * per_response[a] for a in AUDIENCE_SHARE)
    n_responses = int(answers / mean_answers)
    # school sizes: skewed, a few very small schools
    weights = rng.pareto(1.5, schools) + 0.05
    weights[: max(1, schools // 12)] = 0.002
    weights /= weights.sum()
    with engine.begin() as conn:
        muni = conn.execute(
            insert(Municipality).values(name="Benchstadt").returning(Municipality.id)
        ).scalar_one()
        dist_ids = [
            conn.execute(
                insert(District)
                .values(name=f"Bezirk {d + 1}", municipality_id=muni)
                .returning(District.id)
            ).scalar_one()
            for d in range(districts)
        ]
        types = ["Grundschule", "Gesamtschule", "Realschule", "Gymnasium", "Förderschule"]
        school_ids = [
            conn.execute(
                insert(School)
                .values(
                    number=str(100001 + s),
                    name=f"Schule {s + 1}",
                    school_type=types[s % len(types)],
                    district_id=dist_ids[s % districts],
                )
                .returning(School.id)
            ).scalar_one()
            for s in range(schools)
        ]
        campaign = conn.execute(
            insert(Campaign)
            .values(slug="bench", title="Benchmark", municipality_id=muni, state="closed")
            .returning(Campaign.id)
        ).scalar_one()
        conn.execute(
            insert(CampaignQuestionnaire),
            [
                {"campaign_id": campaign, "audience": a, "questionnaire_id": a}
                for a in AUDIENCE_SHARE
            ],
        )
    stored = 0
    chunk = 5000
    done = 0
    while done < n_responses:
        size = min(chunk, n_responses - done)
        audiences = rng.choice(list(AUDIENCE_SHARE), size=size, p=list(AUDIENCE_SHARE.values()))
        school_of = rng.choice(school_ids, size=size, p=weights)
        langs = rng.choice(LANGUAGES, size=size)
        responses, rows = [], []
        for i in range(size):
            rid = uuid.UUID(bytes=rng.bytes(16), version=4)
            audience = str(audiences[i])
            q, plan = plans[audience]
            responses.append(
                {"id": rid, "campaign_id": campaign, "school_id": int(school_of[i]), "audience": audience,
                 "questionnaire_id": q.id, "questionnaire_version": q.version, "language": str(langs[i]),
                 "submitted_on": date(2026, 11, 20), "complete": True}
            )  # fmt: skip
            skew = rng.random()
            for variable, kind, codes in plan:
                if rng.random() < 0.2:
                    continue
                if kind == "codes":
                    ticks = rng.choice(
                        codes[:-1] if len(codes) > 1 else codes,
                        size=min(len(codes), 1 + int(rng.integers(0, 3))),
                        replace=False,
                    )
                    for o, c in enumerate(sorted(int(t) for t in ticks)):
                        rows.append(
                            {
                                "response_id": rid,
                                "variable": variable,
                                "ordinal": o,
                                "code": c,
                                "number": None,
                            }
                        )
                elif kind == "number":
                    rows.append(
                        {
                            "response_id": rid,
                            "variable": variable,
                            "ordinal": 0,
                            "code": None,
                            "number": float(codes[min(len(codes) - 1, int(rng.gamma(2, 2)))]),
                        }
                    )
                else:
                    # skewed towards the upper points, some "don't know"
                    j = min(len(codes) - 1, int(len(codes) * (skew**0.5 * rng.random() ** 0.3)))
                    rows.append(
                        {
                            "response_id": rid,
                            "variable": variable,
                            "ordinal": 0,
                            "code": int(codes[j]),
                            "number": None,
                        }
                    )
        with engine.begin() as conn:
            conn.execute(insert(Response), responses)
            conn.execute(insert(Answer), rows)
        stored += len(rows)
        done += size
    # as autovacuum would after a field phase: the planner needs the tables' statistics
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    engine.dispose()
    return {"responses": n_responses, "answers": stored}


CHILD = r"""
import json, sys, time
sys.path.insert(0, {root!r})

def peak_mib():
    # VmHWM belongs to this process image (ru_maxrss would carry the parent's peak over exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

mode, url, out = sys.argv[1], sys.argv[2], sys.argv[3]
from pathlib import Path
from survey.core.db import make_engine
from sqlalchemy.orm import Session
from survey.questionnaires.loader import load_directory, load_themes
from survey.reports import indicators, services
from survey.reports.suppress import lp_audit, narrowest
import pandas, numpy
result = {{"import_rss_mib": peak_mib()}}
if mode != "imports":
    root = Path({root!r})
    qs, _ = load_directory(root / "questionnaires")
    catalogue = load_themes(root / "questionnaires" / "themes.yaml")
    engine = make_engine(url, statement_timeout=600)
    t0 = time.perf_counter()
    with Session(engine) as session:
        built = services.build(session, "bench", qs, 5, keep_systems=(mode == "audit"))
    found = indicators.compute(built.figures, qs, catalogue)
    level = "school" if mode == "schools" else "municipality"
    paths = services.write(built, level, "csv", Path(out))
    result["seconds"] = time.perf_counter() - t0
    result["files"] = len(paths)
    result["rows"] = len(built.figures.tidy)
    result["indicator_rows"] = len(found)
    if mode == "audit":
        result["suppressed"] = built.figures.suppressed().to_dict()
        widths = []
        systems = [s for s in built.figures.systems if s[2].hidden()]
        t1 = time.perf_counter()
        for key, table, protection in systems[:: max(1, len(systems) // 25)]:
            primary = [iv for iv in lp_audit(table.system, protection)
                       if protection.status[iv.cell].value == "primary"]
            best = narrowest(primary)
            if best is not None:
                cell = table.system.cells[best.cell]
                widths.append((round(best.width, 3), key, cell.key, cell.n, round(best.low, 3), round(best.high, 3)))
        widths.sort()
        result["lp_systems_audited"] = len(widths)
        result["lp_seconds"] = time.perf_counter() - t1
        result["lp_narrowest"] = [str(w) for w in widths[:3]]
result["peak_rss_mib"] = peak_mib()
print(json.dumps(result))
"""


def measure(mode: str, url: str) -> dict:
    with tempfile.TemporaryDirectory() as out:
        code = CHILD.format(root=str(ROOT))
        done = subprocess.run(
            [sys.executable, "-c", code, mode, url, out],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise SystemExit(done.stderr)
        return json.loads(done.stdout.strip().splitlines()[-1])


def fresh_database(kind: str, pg_url: str, workdir: Path) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from survey.core import migrate
    from survey.core.db import make_engine

    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
    else:
        server = make_url(pg_url)
        name = f"{server.database}_bench"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = server.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--answers", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--districts", type=int, default=10)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--no-audit", action="store_true")
    parser.add_argument(
        "--keep", type=Path, help="SQLite: generate into this folder and keep the files"
    )
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    print(f"imports only: {measure('imports', 'sqlite://')['peak_rss_mib']:.0f} MiB peak")
    for kind in kinds:
        for answers in args.answers:
            with tempfile.TemporaryDirectory() as work:
                folder = Path(work)
                if args.keep and kind == "sqlite":
                    folder = args.keep / f"answers{answers}"
                    folder.mkdir(parents=True, exist_ok=True)
                    (folder / "bench.db").unlink(missing_ok=True)
                url = fresh_database(kind, args.pg_url, folder)
                t0 = time.perf_counter()
                made = generate(url, answers, args.schools, args.districts)
                gen = time.perf_counter() - t0
                print(f"\n{kind}: {made['answers']:,} answers in {made['responses']:,} responses, "
                      f"{args.schools} schools (generated in {gen:.0f} s)")  # fmt: skip
                report = measure("campaign", url)
                print(f"  campaign-level report: {report['seconds']:.2f} s, peak {report['peak_rss_mib']:.0f} MiB "
                      f"(imports alone {report['import_rss_mib']:.0f} MiB), {report['rows']:,} tidy rows")  # fmt: skip
                schools = measure("schools", url)
                print(f"  every school report: {schools['seconds']:.2f} s for {schools['files']} files, "
                      f"peak {schools['peak_rss_mib']:.0f} MiB")  # fmt: skip
                if not args.no_audit:
                    audit = measure("audit", url)
                    print(f"  suppressed cells by level: {json.dumps(audit['suppressed'])}")
                    print(f"  LP audit of {audit['lp_systems_audited']} systems ({audit['lp_seconds']:.1f} s), "
                          f"narrowest for a primary cell (width, system, cell, n, low, high): {audit['lp_narrowest'][:1]}")  # fmt: skip


if __name__ == "__main__":
    main()
