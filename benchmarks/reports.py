"""Benchmarks of the report engine against the budgets in DESIGN.md ("Budgets").

1. A generator fills a database with a campaign of any size: S schools in D districts,
   the four shipped questionnaires, skewed answers, 16 answer languages, some schools
   small enough that suppression bites. In bulk (numpy per chunk, COPY on PostgreSQL,
   executemany on SQLite), then ANALYZE, then the campaign is closed through the real
   close path (``change_state``), which freezes its counts: that time is printed too.
   Generated campaigns are kept: each has a slug made of its parameters
   (``bench-<answers>-<schools>-<districts>-<seed>``) and a title naming the generator's
   version, so a second run with the same parameters reuses it (``--fresh`` starts over).
   SQLite: one file in ``--cache``; PostgreSQL: the database in ``--pg-url`` (its name must
   contain "bench").
2. The campaign-level report (aggregation, suppression of every level, indicators, the
   municipality's CSV), in a fresh process: wall time, CPU time and peak memory (VmHWM of
   the process), beside the peak of a process that only imports the same modules.
3. Every school report, as `survey report --level school` writes them (in a fresh
   process, with its worker processes: CPU and peak memory include them).
4. With ``--live``: the campaign-level report counted live from the answers (what an open
   campaign's preview does, and what every report did before the frozen counts).
5. With ``--breakdowns``: the breakdowns by answer language, school type and Sozialindex,
   computed (and kept in an empty store), then read back from the store as every later
   download reads them (``survey.reports.stored``).
6. With ``--audit``: how many cells primary and secondary suppression hide at each level,
   and the narrowest interval the LP audit finds (on a sample of the systems).

Run:  .venv/bin/python benchmarks/reports.py [--answers 1000000 10000000]
      [--db sqlite|postgresql|both] [--schools 100] [--districts 10]
      [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/mw_bench] [--cache DIR]
      [--format csv|xlsx ...] [--breakdowns] [--live] [--audit] [--fresh]
"""
# ruff: noqa: E402

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/mw_bench"
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "mitwirken-report-bench"
#: changes whenever the generator would generate something else for the same parameters
GENERATOR = "report-bench 2"
LANGUAGES = ["de"] * 6 + ["tr"] * 2 + ["ar", "uk", "ru", "pl", "bg", "ro", "ku", "fa"]
AUDIENCE_SHARE = {"families": 0.6, "staff": 0.12, "children": 0.23, "partners": 0.05}
DAY = "2026-11-20"


def _plans():
    """audience -> (questionnaire, [(variable, kind, values)]) for every counted variable."""
    import numpy as np

    from survey.questionnaires.loader import load_directory

    questionnaires, _ = load_directory(ROOT / "questionnaires")
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
    return plans


def _chunk_answers(rng, plans, audiences, skew):
    """The answer rows of one chunk of responses, as columns: (response index, variable,
    ordinal, code or -1, number or NaN)."""
    import numpy as np

    cols: dict[str, list] = {"at": [], "variable": [], "ordinal": [], "code": [], "number": []}

    def emit(at, variable, ordinal, code=None, number=None):
        cols["at"].append(at)
        cols["variable"].append(np.full(len(at), variable, dtype=object))
        cols["ordinal"].append(np.full(len(at), ordinal))
        cols["code"].append(np.full(len(at), -1) if code is None else code)
        cols["number"].append(np.full(len(at), np.nan) if number is None else number)

    for audience, (_q, plan) in plans.items():
        mine = np.flatnonzero(audiences == audience)
        for variable, kind, values in plan:
            at = mine[rng.random(len(mine)) >= 0.2]  # a fifth of the questions left out
            if not len(at):
                continue
            if kind == "codes":  # multiple choice: 1 to 3 distinct ticks, in order
                offered = values[:-1] if len(values) > 1 else values
                ticks = np.minimum(len(offered), 1 + rng.integers(0, 3, len(at)))
                order = np.argsort(rng.random((len(at), len(offered))), axis=1)
                for t in np.unique(ticks):
                    rows = np.flatnonzero(ticks == t)
                    chosen = np.sort(offered[order[rows, :t]], axis=1)
                    for o in range(t):
                        emit(at[rows], variable, o, code=chosen[:, o])
            elif kind == "number":
                j = np.minimum(len(values) - 1, rng.gamma(2, 2, len(at)).astype(int))
                emit(at, variable, 0, number=values[j].astype(float))
            else:  # skewed towards the upper points, some "don't know"
                draw = skew[at] ** 0.5 * rng.random(len(at)) ** 0.3
                j = np.minimum(len(values) - 1, (len(values) * draw).astype(int))
                emit(at, variable, 0, code=values[j])
    return {k: np.concatenate(v) for k, v in cols.items()}


def generate(url: str, answers: int, schools: int, districts: int, seed: int = 16) -> dict:
    """A closed campaign of about ``answers`` answers in the (migrated) database at ``url``;
    returns its slug and sizes. Reused when one with the same parameters exists."""
    import numpy as np
    from sqlalchemy import func, insert, select
    from sqlalchemy.orm import Session

    import survey.admin.models  # noqa: F401 - the audit entry of the close names accounts
    from survey.core.db import make_engine
    from survey.distribution.campaigns import change_state
    from survey.distribution.models import (
        Campaign,
        CampaignQuestionnaire,
        District,
        Municipality,
        School,
    )
    from survey.respond.models import Answer, Response

    slug = f"bench-{answers}-{schools}-{districts}-{seed}"
    engine = make_engine(url, statement_timeout=3600)
    with Session(engine) as session:
        found = session.scalar(select(Campaign).where(Campaign.slug == slug))
        if found is not None and found.title == "generating":  # an interrupted run
            _discard(session, found)
            found = None
        if found is not None:
            if found.title != GENERATOR or found.state != "closed":
                raise SystemExit(f"{slug}: made by another generator: use --fresh")
            sizes = {
                "responses": session.scalar(
                    select(func.count()).select_from(Response).where(Response.campaign_id == found.id)
                ),
                "answers": session.scalar(
                    select(func.count()).select_from(Answer).join(Response)
                    .where(Response.campaign_id == found.id)
                ),
            }  # fmt: skip
            engine.dispose()
            return {"slug": slug, "cached": True, **sizes}
        taken = session.scalar(select(func.count()).select_from(Municipality))
    # every parameter seeds the draws: two campaigns in one database share no response id
    rng = np.random.default_rng([seed, answers, schools, districts])
    plans = _plans()
    per_response = {a: len(p) * 0.8 for a, (_q, p) in plans.items()}
    mean_answers = sum(AUDIENCE_SHARE[a] * per_response[a] for a in AUDIENCE_SHARE)
    n_responses = int(answers / mean_answers)
    # school sizes: skewed, a few very small schools
    weights = rng.pareto(1.5, schools) + 0.05
    weights[: max(1, schools // 12)] = 0.002
    weights /= weights.sum()
    with engine.begin() as conn:
        muni = conn.execute(
            insert(Municipality).values(name=f"Benchstadt {slug}").returning(Municipality.id)
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
        school_ids = np.array(
            [
                conn.execute(
                    insert(School)
                    .values(
                        number=str(100000 + taken * 1000 + s + 1),
                        name=f"Schule {s + 1}",
                        school_type=types[s % len(types)],
                        district_id=dist_ids[s % districts],
                    )
                    .returning(School.id)
                ).scalar_one()
                for s in range(schools)
            ]
        )
        # open while answers arrive; closed below through the real close path
        campaign = conn.execute(
            insert(Campaign)
            .values(slug=slug, title="generating", municipality_id=muni, state="open")
            .returning(Campaign.id)
        ).scalar_one()
        conn.execute(
            insert(CampaignQuestionnaire),
            [
                {"campaign_id": campaign, "audience": a, "questionnaire_id": a}
                for a in AUDIENCE_SHARE
            ],
        )
    postgres = engine.dialect.name == "postgresql"
    stored = done = 0
    chunk = 20_000
    raw = engine.raw_connection()
    try:
        while done < n_responses:
            size = min(chunk, n_responses - done)
            audiences = rng.choice(list(AUDIENCE_SHARE), size=size, p=list(AUDIENCE_SHARE.values()))
            school_of = rng.choice(school_ids, size=size, p=weights)
            langs = rng.choice(LANGUAGES, size=size)
            skew = rng.random(size)
            ids = np.frombuffer(rng.bytes(16 * size), dtype=np.uint8).reshape(size, 16).copy()
            ids[:, 6] = (ids[:, 6] & 0x0F) | 0x40  # UUID version 4
            ids[:, 8] = (ids[:, 8] & 0x3F) | 0x80
            hexes = [bytes(row).hex() for row in ids]
            rows = _chunk_answers(rng, plans, audiences, skew)
            questionnaire = {a: (q.id, q.version) for a, (q, _p) in plans.items()}
            responses = [
                (h, campaign, int(s), str(a), *questionnaire[str(a)], str(lang))
                for h, s, a, lang in zip(hexes, school_of, audiences, langs, strict=True)
            ]
            rid = [hexes[i] for i in rows["at"].tolist()]
            codes = [None if c < 0 else c for c in rows["code"].tolist()]
            numbers = [None if n != n else n for n in rows["number"].tolist()]
            answer_rows = zip(rid, rows["variable"].tolist(), rows["ordinal"].tolist(), codes,
                              numbers, strict=True)  # fmt: skip
            cursor = raw.cursor()
            if postgres:
                _copy(cursor, "response (id, campaign_id, school_id, audience, questionnaire_id, "
                      "questionnaire_version, language, submitted_on, complete)",
                      (r + (DAY, "t") for r in responses))  # fmt: skip
                _copy(cursor, "answer (response_id, variable, ordinal, code, number)", answer_rows)
            else:
                cursor.executemany(
                    "INSERT INTO response VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)",
                    [r + (DAY,) for r in responses],
                )
                cursor.executemany(
                    "INSERT INTO answer (response_id, variable, ordinal, code, number) "
                    "VALUES (?, ?, ?, ?, ?)",
                    answer_rows,
                )
            raw.commit()
            stored += len(rid)
            done += size
    finally:
        raw.close()
    # as autovacuum would after a field phase: the planner needs the tables' statistics
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    t0 = time.perf_counter()
    with Session(engine) as session:
        found = session.get(Campaign, campaign)
        change_state(session, None, found, "closed", True)  # freezes the counts
        found.title = GENERATOR
        session.commit()
    closed = time.perf_counter() - t0
    engine.dispose()
    return {"slug": slug, "cached": False, "responses": n_responses, "answers": stored,
            "close_seconds": closed}  # fmt: skip


def _discard(session, campaign) -> None:
    """Delete a campaign whose generation was interrupted, with its places and answers."""
    from sqlalchemy import text

    ids = {"c": campaign.id, "m": campaign.municipality_id}
    for sql in (
        "DELETE FROM answer WHERE response_id IN (SELECT id FROM response WHERE campaign_id = :c)",
        "DELETE FROM response WHERE campaign_id = :c",
        "DELETE FROM campaign_questionnaire WHERE campaign_id = :c",
        "DELETE FROM audit_entry WHERE target = 'Kampagne ' || (SELECT slug FROM campaign WHERE id = :c)",
        "DELETE FROM campaign WHERE id = :c",
        "DELETE FROM school WHERE district_id IN (SELECT id FROM district WHERE municipality_id = :m)",
        "DELETE FROM district WHERE municipality_id = :m",
        "DELETE FROM municipality WHERE id = :m",
    ):
        session.execute(text(sql), ids)
    session.commit()


def _copy(cursor, target: str, rows) -> None:
    """COPY rows (tuples; None is NULL) in PostgreSQL's text format."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row))
        buffer.write("\n")
    with cursor.copy(f"COPY {target} FROM STDIN") as copy:
        copy.write(buffer.getvalue())


CHILD = r"""
import json, os, resource, sys, tempfile, time
sys.path.insert(0, {root!r})

def peak_mib():
    # VmHWM belongs to this process image (ru_maxrss would carry the parent's peak over exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

mode, url, slug, out, fmt = sys.argv[1:6]
from pathlib import Path
import pandas, numpy
from survey.core.db import make_engine
from sqlalchemy.orm import Session
from survey.questionnaires.loader import load_directory, load_themes
from survey.reports import indicators, services
result = {{"import_rss_mib": peak_mib()}}
wall, cpu = time.perf_counter(), time.process_time()
if mode == "schools":
    # the command itself, with its workers; breakdowns computed (an empty store), as the
    # first run after a campaign closes computes them
    os.environ["SURVEY_DATABASE_URL"] = url
    os.environ["SURVEY_REPORT_STORE"] = tempfile.mkdtemp(prefix="bench-kept-")
    from survey import create_app
    app = create_app()
    runner = app.test_cli_runner()
    done = runner.invoke(args=["report", "--campaign", slug, "--level", "school", "--format", fmt,
                               "--out", out])
    if done.exit_code:
        raise SystemExit(done.output + str(done.exception))
    result["files"] = len(os.listdir(out))
elif mode != "imports":
    root = Path({root!r})
    qs, _ = load_directory(root / "questionnaires")
    catalogue = load_themes(root / "questionnaires" / "themes.yaml")
    engine = make_engine(url, statement_timeout=3600)
    with Session(engine) as session:
        if mode == "live":  # counted from the answers, as a preview is
            from survey.reports import aggregate
            aggregate_is_frozen = aggregate.is_frozen
            aggregate.is_frozen = lambda *a: False
        built = services.build(session, slug, qs, 5, keep_systems=(mode == "audit"))
        if mode == "breakdowns":  # computed and kept, then read back from the store
            store = Path(tempfile.mkdtemp(prefix="bench-kept-"))
            result["figures_cpu"] = time.process_time() - cpu
            t1, w1 = time.process_time(), time.perf_counter()
            forked = resource.getrusage(resource.RUSAGE_CHILDREN)
            first = services.build(session, slug, qs, 5, with_breakdowns=True, store=store)
            done = resource.getrusage(resource.RUSAGE_CHILDREN)
            result["computed_wall"] = time.perf_counter() - w1
            # its forked workers' CPU too
            result["computed_cpu"] = (time.process_time() - t1 + done.ru_utime - forked.ru_utime
                                      + done.ru_stime - forked.ru_stime)
            t1 = time.process_time()
            services.build(session, slug, qs, 5, with_breakdowns=True, store=store,
                           stored_only=True)
            result["kept_cpu"] = time.process_time() - t1
            result["breakdown_rows"] = len(first.breakdowns.frame)
            result["kept_kib"] = sum(p.stat().st_size for p in store.glob("*.gz")) / 1024
    found = indicators.compute(built.figures, qs, catalogue)
    paths = services.write(built, "municipality", "csv", Path(out))
    result["rows"] = len(built.figures.tidy)
    result["indicator_rows"] = len(found)
    if mode == "audit":
        from survey.core.suppress import lp_audit, narrowest
        result["suppressed"] = built.figures.suppressed().to_dict()
        widths = []
        systems = [s for s in built.figures.systems if s[2].hidden()]
        t1 = time.perf_counter()
        for key, table, protection in systems[:: max(1, len(systems) // 25)]:
            primary = [iv for iv in lp_audit(table.system, protection)
                       if protection.status[iv.cell].value == "primary"
                       and table.system.cells[iv.cell].n > 0]
            best = narrowest(primary)
            if best is not None:
                cell = table.system.cells[best.cell]
                widths.append((round(best.width, 3), key, cell.key, cell.n, round(best.low, 3), round(best.high, 3)))
        widths.sort()
        result["lp_systems_audited"] = len(widths)
        result["lp_seconds"] = time.perf_counter() - t1
        result["lp_narrowest"] = [str(w) for w in widths[:3]]
result["seconds"] = time.perf_counter() - wall
own = resource.getrusage(resource.RUSAGE_SELF)
children = resource.getrusage(resource.RUSAGE_CHILDREN)
result["cpu_seconds"] = time.process_time() - cpu + children.ru_utime + children.ru_stime
result["peak_rss_mib"] = peak_mib()
result["children_peak_rss_mib"] = children.ru_maxrss / 1024
print(json.dumps(result))
"""


def measure(mode: str, url: str, slug: str = "", fmt: str = "csv") -> dict:
    with tempfile.TemporaryDirectory() as out:
        code = CHILD.format(root=str(ROOT))
        done = subprocess.run(
            [sys.executable, "-c", code, mode, url, slug, out, fmt],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise SystemExit(done.stderr + done.stdout)
        return json.loads(done.stdout.strip().splitlines()[-1])


def database(kind: str, pg_url: str, cache: Path, fresh: bool) -> str:
    """The benchmark's database, migrated; emptied first with ``fresh``."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from survey.core import migrate
    from survey.core.db import make_engine

    if kind == "sqlite":
        cache.mkdir(parents=True, exist_ok=True)
        path = cache / "reports.db"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        server = make_url(pg_url)
        if "bench" not in (server.database or ""):
            raise SystemExit("the PostgreSQL database's name must contain 'bench'")
        url = server.render_as_string(hide_password=False)
        admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if fresh:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{server.database}" WITH (FORCE)'))
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": server.database}
            ).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{server.database}"'))
        admin.dispose()
    # the migration's foreign-key check reads every answer of a kept 10 M campaign
    engine = make_engine(url, statement_timeout=3600)
    migrate.upgrade(engine)
    engine.dispose()
    return url


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--answers", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--districts", type=int, default=10)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="SQLite: folder")
    parser.add_argument("--format", nargs="+", default=["csv"], choices=["csv", "xlsx"],
                        help="formats of the school reports")  # fmt: skip
    parser.add_argument("--live", action="store_true", help="also count live (a preview)")
    parser.add_argument("--breakdowns", action="store_true",
                        help="the breakdowns: computed and kept, then read back")  # fmt: skip
    parser.add_argument("--audit", action="store_true", help="suppressed cells and LP audit")
    parser.add_argument("--fresh", action="store_true", help="drop generated campaigns first")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    print(_load())
    imports = measure("imports", "sqlite://")
    print(f"imports only: {imports['peak_rss_mib']:.0f} MiB peak")
    for kind in kinds:
        url = database(kind, args.pg_url, args.cache, args.fresh)
        for answers in args.answers:
            t0 = time.perf_counter()
            made = generate(url, answers, args.schools, args.districts, args.seed)
            how = (
                "cached"
                if made["cached"]
                else f"generated in {time.perf_counter() - t0:.0f} s, closing (freezing the "
                f"counts) took {made['close_seconds']:.1f} s"
            )
            print(f"\n{kind}: {made['answers']:,} answers in {made['responses']:,} responses, "
                  f"{args.schools} schools, campaign {made['slug']} ({how}); {_load()}")  # fmt: skip
            report = measure("campaign", url, made["slug"])
            print(f"  campaign-level report: {report['seconds']:.2f} s wall, "
                  f"{report['cpu_seconds']:.2f} s CPU, peak {report['peak_rss_mib']:.0f} MiB "
                  f"(imports alone {report['import_rss_mib']:.0f} MiB), {report['rows']:,} tidy rows")  # fmt: skip
            for fmt in args.format:
                schools = measure("schools", url, made["slug"], fmt)
                print(f"  every school report ({fmt}, `survey report --level school`): "
                      f"{schools['seconds']:.2f} s wall, {schools['cpu_seconds']:.2f} s CPU with "
                      f"its workers, {schools['files']} files, peak {schools['peak_rss_mib']:.0f} MiB "
                      f"(workers {schools['children_peak_rss_mib']:.0f} MiB)")  # fmt: skip
            if args.breakdowns:
                kept = measure("breakdowns", url, made["slug"])
                print(f"  breakdowns by answer language, school type and Sozialindex: computed in "
                      f"{kept['computed_wall']:.2f} s wall, {kept['computed_cpu']:.2f} s CPU with "
                      f"its workers, beside the unit figures' "
                      f"{kept['figures_cpu']:.2f} s, then read from the store in {kept['kept_cpu']:.2f} s "
                      f"CPU (unit figures included); {kept['breakdown_rows']:,} rows, "
                      f"{kept['kept_kib']:.0f} KiB kept; peak {kept['peak_rss_mib']:.0f} MiB")  # fmt: skip
            if args.live:
                live = measure("live", url, made["slug"])
                print(f"  counted live (preview): {live['seconds']:.2f} s wall, "
                      f"{live['cpu_seconds']:.2f} s CPU, peak {live['peak_rss_mib']:.0f} MiB")  # fmt: skip
            if args.audit:
                audit = measure("audit", url, made["slug"])
                print(f"  suppressed cells by level: {json.dumps(audit['suppressed'])}")
                print(f"  LP audit of {audit['lp_systems_audited']} systems ({audit['lp_seconds']:.1f} s), "
                      f"narrowest for a primary cell (width, system, cell, n, low, high): {audit['lp_narrowest'][:1]}")  # fmt: skip
            print(f"  {_load()}")


if __name__ == "__main__":
    main()
