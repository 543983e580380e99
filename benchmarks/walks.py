"""Many respondents at once against gunicorn (2 sync workers): nothing lost, nothing doubled.

Starts gunicorn with deploy/gunicorn.conf.py on a fresh database, then lets N
respondents (threads, all released at once) walk the families questionnaire from the
intro to the thank-you page over real HTTP, each from its own address (X-Forwarded-For,
the app behind one trusted proxy) so that the rate limits apply as in the field. Every
free-text answer carries the walker's number; afterwards each walker must be found in
exactly one stored response. Rate-limit counters go to Redis when --redis is given.
Also checks that gunicorn's and the app's log lines hold no token and no address.

Run:  .venv/bin/python benchmarks/walks.py [--db sqlite|postgresql] [--walkers 200]
          [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/mitwirken_bench]
          [--redis redis://127.0.0.1:6379/9] [--port 5950]
"""
# ruff: noqa: E402

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from answering import answers_for
from dashboard import fresh_postgres  # a sibling script: benchmarks/ is on sys.path
from sqlalchemy import text

from survey import create_app
from survey.core import migrate
from survey.core.db import make_engine
from survey.distribution.services import ensure_demo
from survey.extensions import db
from survey.questionnaires.model import TextQuestion
from survey.questionnaires.registry import registry
from survey.respond.steps import all_steps

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Walker:
    def __init__(self, port: int, token: str, number: int, run: str, questionnaire) -> None:
        self.port, self.token, self.number, self.run = port, token, number, run
        self.questionnaire = questionnaire
        self.cookie = ""
        self.csrf = ""
        self.address = f"10.{number // 250}.{number % 250}.7"
        self.statuses: list[int] = []
        self.times: list[float] = []
        self.finished = False

    def request(self, method: str, path: str, form: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"X-Forwarded-For": self.address, "Host": "127.0.0.1"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        reply = conn.getresponse()
        data = reply.read().decode()
        self.times.append(time.perf_counter() - started)
        self.statuses.append(reply.status)
        for name, value in reply.getheaders():
            if name.lower() == "set-cookie" and value.startswith("mitwirken="):
                self.cookie = value.split(";", 1)[0]
        found = CSRF.search(data)
        if found:
            self.csrf = found.group(1)
        conn.close()
        return reply.status, reply.getheader("Location") or "", data

    def answers(self, step) -> dict:
        data = answers_for(self.questionnaire, step.questions)
        for q in step.questions:
            if isinstance(q, TextQuestion):
                data[q.id] = f"Lauf {self.run} Person P{self.number:04d}"
        return data

    def walk(self) -> None:
        base = f"/s/{self.token}"
        self.request("GET", base)
        status, location, _ = self.request("POST", base + "/start", {"csrf_token": self.csrf})
        steps = all_steps(self.questionnaire)
        for _ in range(4 * len(steps)):
            if "/danke" in location:
                self.request("GET", location)
                self.finished = True
                return
            if status != 302:
                return
            number = int(location.split("?")[0].rstrip("/").rsplit("/", 1)[1])
            self.request("GET", location)
            data = {**self.answers(steps[number - 1]), "csrf_token": self.csrf, "action": "next"}
            status, location, _ = self.request("POST", f"{base}/{number}", data)
            if status == 200:  # a follow-up question opened on the page
                data["csrf_token"] = self.csrf
                status, location, _ = self.request("POST", f"{base}/{number}", data)


def prepare(url: str, instance: Path) -> tuple[str, object]:
    if url.startswith("postgresql"):
        fresh_postgres(url)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}, instance_path=str(instance))
    with app.app_context():
        token = next(k.token for k in ensure_demo(db.session) if k.audience == "families")
        questionnaire = registry().get("families")
    app.extensions["survey_db"].engine.dispose()
    return token, questionnaire


def stored_by_walker(url: str, run: str) -> tuple[int, Counter]:
    engine = make_engine(url)
    with engine.connect() as conn:
        responses = conn.execute(text("SELECT count(*) FROM response")).scalar()
        rows = conn.execute(
            text("SELECT DISTINCT response_id, text FROM answer WHERE text LIKE :p"),
            {"p": f"Lauf {run} Person P%"},
        ).all()
    engine.dispose()
    per_walker = Counter(t.rsplit("P", 1)[1] for _rid, t in {(r[0], r[1]) for r in rows})
    return responses, per_walker


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/mitwirken_bench"
    )
    parser.add_argument("--walkers", type=int, default=200)
    parser.add_argument("--port", type=int, default=5950)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="walks-"))
    url = args.pg_url if args.db == "postgresql" else f"sqlite:///{scratch}/walks.db"
    token, questionnaire = prepare(url, scratch)
    # A letter first: six digits in a row would be taken for a phone number and scrubbed.
    run = "r" + uuid.uuid4().hex[:6]
    env = {
        **os.environ,
        "SURVEY_DATABASE_URL": url,
        "SURVEY_INSTANCE_PATH": str(scratch),
        "SURVEY_SECRET_KEY": "bench",
        "SURVEY_PROXY_FIX": "1",
        "SURVEY_RATELIMIT_STORAGE_URL": args.redis,
        "SURVEY_RATELIMIT_KEY_PREFIX": f"walks-{run}",
    }
    log_path = scratch / "gunicorn.log"
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
    server = subprocess.Popen(
        [*gunicorn, "-b", f"127.0.0.1:{args.port}", "-w", "2", "survey:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request("GET", "/")
                break
            except OSError:
                time.sleep(0.1)
        walkers = [Walker(args.port, token, i, run, questionnaire) for i in range(args.walkers)]
        barrier = threading.Barrier(len(walkers))

        def go(walker: Walker) -> None:
            barrier.wait()
            try:
                walker.walk()
            except Exception as exc:  # counted as not finished
                print(f"walker {walker.number}: {type(exc).__name__}: {exc}", file=sys.stderr)

        threads = [threading.Thread(target=go, args=(w,)) for w in walkers]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    statuses = Counter(s for w in walkers for s in w.statuses)
    times = sorted(t for w in walkers for t in w.times)
    finished = sum(w.finished for w in walkers)
    responses, per_walker = stored_by_walker(url, run)
    lost = [w.number for w in walkers if per_walker.get(f"{w.number:04d}", 0) == 0]
    doubled = [k for k, n in per_walker.items() if n > 1]
    log = log_path.read_text()
    leaks = [
        line
        for line in log.splitlines()
        if token in line or re.search(r"(?<![\d.])10\.\d+\.\d+\.7(?![\d.])", line)
    ]
    print(
        f"database: {args.db}; walkers: {args.walkers}, all released at once; gunicorn 2 sync workers"
    )
    print(
        f"walks finished: {finished}/{args.walkers} in {elapsed:.1f} s ({finished / elapsed:.1f} walks/s)"
    )
    print(f"responses stored: {responses}; lost: {len(lost)}; duplicated: {len(doubled)}")
    print(f"requests: {sum(statuses.values())}; statuses: {dict(sorted(statuses.items()))}")
    print(f"5xx: {sum(n for s, n in statuses.items() if s >= 500)}")
    print(
        f"latency per request: median {statistics.median(times) * 1000:.0f} ms, "
        f"p95 {times[int(0.95 * len(times))] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"
    )
    print(f"log lines: {len(log.splitlines())}; with a token or a walker's address: {len(leaks)}")
    print("sample log lines:", *log.splitlines()[:3], *log.splitlines()[-2:], sep="\n  ")
    ok = finished == args.walkers and not lost and not doubled and responses == args.walkers
    ok = ok and not any(s >= 500 for s in statuses) and not leaks
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
