"""Benchmarks of the reports people read (survey.documents) against the budgets in DESIGN.md.

1. One school with about 1,000 responses to all four shipped questionnaires: the school's
   PDF, from the database to the file (the engine's figures, the report model, the PDF),
   in a fresh process; wall and CPU time of each step. Budget: 1 s.
2. A campaign of 100 schools in 10 districts (1,000,000 answers by default): every
   school's PDF with ``survey report --level school --format pdf`` (one process per core),
   wall time and the CPU time of the command and its workers. Budget: 1 minute.
3. The campaign's (municipality's) PDF over 10,000,000 answers (``--campaign-answers``),
   from the database to the file in a fresh process: the engine's figures, the report
   model and the PDF, each timed on its own (the engine is another issue's work; its share
   is printed apart so that the two can be combined). Budget: 5 s including the engine.

The campaigns come from the engine benchmark's generator (benchmarks/reports.py). The
campaigns of 2. and 3. are kept in a SQLite file in ``--cache`` (a second run with the same
sizes reuses them: generating 10,000,000 answers takes minutes); 1. is made afresh in a
temporary folder. The machine is shared: CPU time is the steadier figure.

Run:  .venv/bin/python benchmarks/documents.py [--answers 1000000] [--schools 100]
      [--school-responses 1000] [--campaign-answers 10000000] [--format pdf|html]
      [--cache DIR] [--skip-campaign] [--skip-schools] [--only-campaign]
"""
# ruff: noqa: E402

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from reports import database, generate  # the engine benchmark's generator

DEFAULT_CACHE = Path(tempfile.gettempdir()) / "mitwirken-documents-bench"

ONE_SCHOOL = r"""
import json, sys, time, resource
sys.path.insert(0, {root!r})
url, fmt, slug, level = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
from datetime import date
from pathlib import Path
from sqlalchemy.orm import Session
from survey import create_app
from survey.core.db import make_engine
from survey.documents import model, services
from survey.pdf.fonts import fonts
from survey.questionnaires.registry import registry

app = create_app({{"DATABASE_URL": url, "SECRET_KEY": "bench"}})
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
result = {{}}
with app.app_context():
    fonts()  # as in a running worker: registered once per process
    questionnaires = registry().all()
    engine = make_engine(url)
    t0, c0 = time.perf_counter(), cpu()
    with Session(engine) as session:
        src = services.load(session, slug, questionnaires, Path(app.config["QUESTIONNAIRE_DIR"]), 5, date(2026, 12, 1))
        t1, c1 = time.perf_counter(), cpu()
        unit = model.units(src, level)[0]
        report = services.report(session, src, level, unit)
    t2, c2 = time.perf_counter(), cpu()
    data = services.render(report, fmt)
    t3, c3 = time.perf_counter(), cpu()
    result = {{
        "engine": (t1 - t0, c1 - c0), "model": (t2 - t1, c2 - c1), "render": (t3 - t2, c3 - c2),
        "total": (t3 - t0, c3 - c0), "bytes": len(data),
        "respondents": sum(c.n or 0 for (lv, u, a), c in src.respondents.counts.items() if lv == level and u == unit),
    }}
    if fmt == "pdf":
        result["pages"] = data.count(b"/Type /Page\n")
print(json.dumps(result))
"""


def one_school(responses: int, fmt: str) -> dict:
    with tempfile.TemporaryDirectory() as work:
        url = database("sqlite", "", Path(work), True)
        # about 33 answers per response (the shipped questionnaires, 80 % answered)
        made = generate(url, responses * 33, schools=1, districts=1)
        done = subprocess.run(
            [sys.executable, "-c", ONE_SCHOOL.format(root=str(ROOT)), url, fmt, made["slug"],
             "school"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode:
            raise SystemExit(done.stderr)
        found = json.loads(done.stdout.strip().splitlines()[-1])
        found["generated"] = made
        return found


def cached(cache: Path) -> str:
    """The SQLite file of the kept campaigns, migrated when it is made (checking the
    foreign keys of ten million answers again on every run would take minutes)."""
    path = cache / "reports.db"
    return f"sqlite:///{path}" if path.exists() else database("sqlite", "", cache, False)


def campaign(answers: int, schools: int, fmt: str, cache: Path) -> dict:
    """The municipality's report of a (cached) campaign of ``answers`` answers."""
    url = cached(cache)
    t0 = time.perf_counter()
    made = generate(url, answers, schools=schools, districts=max(1, schools // 10))
    made["seconds"] = time.perf_counter() - t0
    done = subprocess.run(
        [sys.executable, "-c", ONE_SCHOOL.format(root=str(ROOT)), url, fmt, made["slug"],
         "municipality"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(done.stderr)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    found["generated"] = made
    return found


def every_school(answers: int, schools: int, fmt: str, jobs: int, cache: Path) -> dict:
    with tempfile.TemporaryDirectory() as work:
        url = cached(cache)
        made = generate(url, answers, schools=schools, districts=max(1, schools // 10))
        out = Path(work) / "out"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        done = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "survey"), "report", "--campaign", made["slug"], "--level",
             "school", "--format", fmt, "--jobs", str(jobs), "--out", str(out)],
            capture_output=True, text=True, check=False,
            env={**os.environ, "SURVEY_DATABASE_URL": url},
        )  # fmt: skip
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode:
            raise SystemExit(done.stderr)
        files = list(out.glob(f"*.{fmt}"))
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return {"wall": wall, "cpu": cpu, "files": len(files), "generated": made,
                "bytes": sum(f.stat().st_size for f in files)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--school-responses", type=int, default=1000)
    parser.add_argument("--format", choices=["pdf", "html"], default="pdf")
    parser.add_argument("--jobs", type=int, default=0, help="0: one process per core")
    parser.add_argument("--campaign-answers", type=int, default=10_000_000)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="SQLite: folder")
    parser.add_argument("--skip-campaign", action="store_true", help="no campaign report (3.)")
    parser.add_argument("--skip-schools", action="store_true", help="no 100 school reports (2.)")
    parser.add_argument("--only-campaign", action="store_true", help="the campaign report only")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if not args.only_campaign:
        schools_part(args)
    if not args.skip_campaign:
        whole = campaign(args.campaign_answers, args.schools, args.format, args.cache)
        made = whole["generated"]
        print(
            f"\nthe campaign's (municipality's) report, {made['answers']:,} answers "
            f"({made['responses']:,} responses; "
            + ("cached" if made["cached"] else f"generated in {made['seconds']:.0f} s")
            + f"): {args.format.upper()} of {whole.get('pages', '?')} pages, "
            f"{whole['bytes'] / 1024:.0f} KiB"
        )
        for step in ("engine", "model", "render", "total"):
            wall, cpu = whole[step]
            print(f"  {step:<7} {wall:6.2f} s wall  {cpu:6.2f} s CPU")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


def schools_part(args) -> None:
    one = one_school(args.school_responses, args.format)
    print(
        f"one school, {one['respondents']:,} responses ({one['generated']['answers']:,} answers), "
        f"{args.format.upper()} of {one.get('pages', '?')} pages, {one['bytes'] / 1024:.0f} KiB"
    )
    for step in ("engine", "model", "render", "total"):
        wall, cpu = one[step]
        print(f"  {step:<7} {wall:6.2f} s wall  {cpu:6.2f} s CPU")
    if args.skip_schools:
        return
    every = every_school(args.answers, args.schools, args.format, args.jobs, args.cache)
    made = every["generated"]
    print(
        f"\nevery school of a {args.schools}-school campaign ({made['answers']:,} answers, "
        f"{made['responses']:,} responses): {every['files']} {args.format.upper()} files, "
        f"{every['bytes'] / 2**20:.1f} MiB\n"
        f"  survey report --level school --format {args.format}: {every['wall']:.1f} s wall, "
        f"{every['cpu']:.1f} s CPU (command and workers)"
    )


if __name__ == "__main__":
    main()
