"""How fast ``survey demo --responses N`` fills the demo campaign (issue 16, budget: N =
100,000 in about a minute on SQLite and PostgreSQL, memory flat).

For each database, on a fresh one (SQLite in a temporary folder; PostgreSQL: the
database named by --pg-url, whose name must contain "bench", its public schema emptied
first), each measurement in a fresh process running the real command through Flask's CLI
runner: wall time, CPU time, responses and answer rows per second, and peak memory
(VmHWM) beside a process that only loads the app; on PostgreSQL also the CPU time of
its backend processes (sampled from /proc: the server runs on the same machine). The largest N runs twice: the second
run also deletes the first run's responses (the demo replaces them). "wall" is the whole
command (with the demo world and the demo accounts' password hashes), "fill" the part
that the command reports for the responses (delete, generate, write, ANALYZE); rates are
per second of "fill". Then, without any
database, the generator alone: CPU time per response.

Run:  .venv/bin/python benchmarks/demo.py [--responses 10000 100000] [--db sqlite|postgresql|both]
      [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/mw_16demo_bench]
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

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/mw_16demo_bench"

CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, {root!r})

def peak_mib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

url, n, database = sys.argv[1], sys.argv[2], sys.argv[3]
import threading

# PostgreSQL does its share of the work in its own backend processes: their CPU time is
# sampled from /proc (same machine) while the command runs; the last sample of each counts.
server_cpu = {{}}
stop = threading.Event()

def sample_backends():
    tick = os.sysconf("SC_CLK_TCK")
    while not stop.is_set():
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{{pid}}/cmdline", "rb") as f:
                    command = f.read().replace(b"\0", b" ") + b" "
                # backends (and autovacuum workers) of this database, not this process
                if not command.startswith(b"postgres:") or f" {{database}} ".encode() not in command:
                    continue
                with open(f"/proc/{{pid}}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                server_cpu[pid] = (int(fields[11]) + int(fields[12])) / tick
            except OSError:
                continue
        stop.wait(0.2)

if database != "-":
    threading.Thread(target=sample_backends, daemon=True).start()
from survey import create_app
app = create_app({{"DATABASE_URL": url}})
with app.app_context():
    from survey.questionnaires.registry import registry
    from survey.i18n.locale import offer
    registry().all()
    offer().questionnaire("families")
result = {{"loaded_mib": peak_mib()}}
if n != "none":
    cpu0, wall0 = time.process_time(), time.perf_counter()
    done = app.test_cli_runner().invoke(args=["demo", "--responses", n])
    if done.exit_code:
        raise SystemExit(done.output)
    result["wall"] = time.perf_counter() - wall0
    result["cpu"] = time.process_time() - cpu0
    line = [l for l in done.stderr.splitlines() if l.startswith("demo campaign:")][0]
    result["answers"] = int(line.split("(")[1].split()[0])
    result["fill"] = float(line.split(") in ")[1].split()[0])
    stop.set()
    result["server_cpu"] = sum(server_cpu.values()) if database != "-" else None
result["peak_mib"] = peak_mib()
print(json.dumps(result))
"""


def run_child(url: str, n: str) -> dict:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    database = parsed.database if parsed.get_backend_name() == "postgresql" else "-"
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(root=str(ROOT)), url, n, database],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if done.returncode:
        raise SystemExit(done.stderr or done.stdout)
    return json.loads(done.stdout.strip().splitlines()[-1])


def fresh_database(kind: str, pg_url: str, folder: Path) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from survey.core import migrate
    from survey.core.db import make_engine

    if kind == "sqlite":
        url = f"sqlite:///{folder / 'demo-bench.db'}"
    else:
        server = make_url(pg_url)
        if "bench" not in (server.database or ""):
            raise SystemExit(
                f"--pg-url: the database name must contain 'bench' ({server.database})"
            )
        url = server.render_as_string(hide_password=False)
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


def generator_only(count: int) -> float:
    """CPU seconds per response of the generator alone (answers and rows, no database)."""
    import random

    from survey.distribution.synthetic import Person, Simulator
    from survey.questionnaires.loader import load_directory

    questionnaires, _ = load_directory(ROOT / "questionnaires")
    rng = random.Random(1)
    simulators = [Simulator(q, 16) for q in questionnaires.values()]
    start = time.process_time()
    for i in range(count):
        simulator = simulators[i % len(simulators)]
        simulator.rows(simulator.answers(rng, Person(rng.gauss(0, 1), "de", 1.0)))
    return (time.process_time() - start) / count


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--responses", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    print(f"{'database':<11} {'N':>8} {'run':<8} {'answers':>10} {'wall s':>7} {'fill s':>6} {'CPU s':>6} {'server CPU s':>12} "
          f"{'responses/s':>11} {'answers/s':>10} {'peak MiB':>8} {'app MiB':>7}")  # fmt: skip
    for kind in kinds:
        with tempfile.TemporaryDirectory() as work:
            url = fresh_database(kind, args.pg_url, Path(work))
            sizes = sorted(args.responses)
            plan = [(n, "first") for n in sizes] + [(sizes[-1], "replace")]
            for n, label in plan:
                r = run_child(url, str(n))
                server = "-" if r["server_cpu"] is None else f"{r['server_cpu']:.1f}"
                print(f"{kind:<11} {n:>8,} {label:<8} {r['answers']:>10,} {r['wall']:>7.1f} "
                      f"{r['fill']:>6.1f} {r['cpu']:>6.1f} {server:>12} {n / r['fill']:>11,.0f} "
                      f"{r['answers'] / r['fill']:>10,.0f} "
                      f"{r['peak_mib']:>8.0f} {r['loaded_mib']:>7.0f}")  # fmt: skip
    per = generator_only(20_000)
    print(f"\ngenerator alone (no database): {per * 1e6:.0f} µs CPU per response, "
          f"{1 / per:,.0f} responses/s")  # fmt: skip


if __name__ == "__main__":
    main()
