"""`survey export` on a large campaign: time and peak memory per format.

The campaign comes from the report benchmark's generator (`benchmarks/reports.py`):
S schools, the four shipped questionnaires, skewed answers. Each export runs the real
command (`survey export --campaign bench --format F --audience families --out FILE`)
in a fresh process, which reports its wall time, CPU time and peak memory (VmHWM),
beside a process that only imports the same modules. Run it at two sizes to see
whether memory stays flat (CSV and XLSX are written row by row; SPSS and Stata are
written by pyreadstat from one data frame, which grows with responses x columns).

Run:  .venv/bin/python benchmarks/export.py [--answers 1000000 4000000]
      [--db sqlite|postgresql] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/mw_x]
"""
# ruff: noqa: E402

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, {root!r})

def peak_mib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

fmt, url, out = sys.argv[1], sys.argv[2], sys.argv[3]
os.environ["SURVEY_DATABASE_URL"] = url
os.environ["SURVEY_INSTANCE_PATH"] = os.path.dirname(out)
from survey.cli import cli
import pandas, numpy, pyreadstat, xlsxwriter
from survey.reports import export
result = {{"import_rss_mib": peak_mib()}}
if fmt == "baseline":  # the app and the command without data: a campaign that is not there
    try:
        cli.main(["export", "--campaign", "nope", "--format", "csv", "--out", out],
                 prog_name="survey", standalone_mode=False)
    except Exception:
        pass
elif fmt != "imports":
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        cli.main(["export", "--campaign", "bench", "--format", fmt, "--audience", "families",
                  "--out", out], prog_name="survey", standalone_mode=False)
    finally:
        result["seconds"] = time.perf_counter() - t0
        result["cpu_seconds"] = time.process_time() - c0
    result["bytes"] = os.path.getsize(out)
result["peak_rss_mib"] = peak_mib()
print(json.dumps(result))
"""


def measure(fmt: str, url: str) -> dict:
    with tempfile.TemporaryDirectory() as work:
        out = str(Path(work) / f"families.{fmt}")
        done = subprocess.run(
            [sys.executable, "-c", CHILD.format(root=str(ROOT)), fmt, url, out],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise SystemExit(done.stderr)
        return json.loads(done.stdout.strip().splitlines()[-1])


def _generate(generate, url: str, answers: int, schools: int, districts: int) -> dict:
    """The report benchmark's generator, with statements that may run long: its bulk
    inserts of 5,000 responses outlast the web's 10 s on a busy machine."""
    from functools import partial

    from survey.core import db

    plain = db.make_engine
    db.make_engine = partial(plain, statement_timeout=600)
    try:
        return generate(url, answers, schools, districts)
    finally:
        db.make_engine = plain


def main() -> None:
    from reports import fresh_database, generate

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--answers", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--districts", type=int, default=10)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/mw_x")
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx", "sav", "dta"])
    args = parser.parse_args()
    print(f"imports only: {measure('imports', 'sqlite://')['peak_rss_mib']:.0f} MiB peak")
    for answers in args.answers:
        with tempfile.TemporaryDirectory() as work:
            url = fresh_database(args.db, args.pg_url, Path(work))
            t0 = time.perf_counter()
            made = _generate(generate, url, answers, args.schools, args.districts)
            if args.db == "sqlite":
                # the generator leaves a large write-ahead log: fold it into the database
                # now, or the first export's audit entry pays for it (minutes of I/O)
                import sqlite3

                with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            print(f"\n{args.db}: {made['answers']:,} answers in {made['responses']:,} responses "
                  f"(generated in {time.perf_counter() - t0:.0f} s); families exported")  # fmt: skip
            base = measure("baseline", url)["peak_rss_mib"]
            print(
                f"  the command without data (app, questionnaires, catalogs): peak {base:.0f} MiB"
            )
            for fmt in args.formats:
                r = measure(fmt, url)
                print(f"  {fmt:>4}: {r['seconds']:6.1f} s wall, {r['cpu_seconds']:6.1f} s CPU, "
                      f"peak {r['peak_rss_mib']:5.0f} MiB (imports {r['import_rss_mib']:.0f}), "
                      f"{r['bytes'] / 2**20:.1f} MiB file")  # fmt: skip


if __name__ == "__main__":
    main()
