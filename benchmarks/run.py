"""Benchmarks of the respondent's flow against the budgets in DESIGN.md ("Budgets").

On a fresh database (SQLite in a temp dir; PostgreSQL: the database ``bench``, never
``test``), through the real WSGI app in-process with app.test_client():
1. page weight of every page type: raw and gzip-6 bytes, and a scan for external
   references (off-origin src/href/action/url(), <script>, stylesheet links);
2. server time per request, one client: page views, step POSTs, the final submit POST
   (stores the response, redirects to /danke), whole questionnaire walks;
3. 20 threads completing questionnaires (whole walks/s), then 20 threads sending only the
   final submits of prepared drafts (submits/s); checks that nothing was lost or doubled.
A bare Flask app rendering an ~8 KB Jinja page is timed the same way, as a baseline.

Run:  .venv/bin/python benchmarks/run.py [--db sqlite|postgresql|both] [--quick] [--pg-url URL]
"""
# ruff: noqa: E402

from __future__ import annotations

import argparse
import gzip
import math
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from answering import answers_for  # tests/answering.py: valid answers for any question
from flask import Flask, render_template
from jinja2 import DictLoader
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from survey import create_app
from survey.core import migrate
from survey.core.db import make_engine
from survey.distribution.models import AUDIENCES
from survey.distribution.services import ensure_demo
from survey.extensions import db
from survey.questionnaires.model import QUESTION_TYPES
from survey.questionnaires.registry import registry
from survey.respond.models import Draft, Response
from survey.respond.steps import all_steps

THREADS = 20
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
REFS = re.compile(r"""\b(?:src|href|action|formaction|poster)\s*=\s*["']?([^"'\s>]*)""", re.I)
CSS_REFS = re.compile(r"""(?:url\(|@import)\s*["']?([^"')\s;]+)""", re.I)
OFF_ORIGIN = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)  # a scheme (not data:), or //host
BARE_PAGE = """<!doctype html><title>Bare</title>{% for i in range(100) %}
<p class=item>Frage {{ i }}: Ich fühle mich in der Schule meines Kindes willkommen.</p>{% endfor %}"""
# A script or stylesheet that loads from elsewhere (an inline <script> is part of the page).
LOADS = re.compile(r"<script\b[^>]*\bsrc\s*=|<link\b[^>]*\brel\s*=\s*[\"']?stylesheet", re.I)


def table(title: str, headers: list[str], rows: list[list]) -> None:
    cells = [headers] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    print(f"\n{title}\n" + "=" * len(title))
    for row in cells[:1] + [["-" * w for w in widths]] + cells[1:]:
        print(
            "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )


def timing(label: str, seconds: list[float]) -> list:
    p95 = sorted(seconds)[math.ceil(0.95 * len(seconds)) - 1]
    return [label, len(seconds), f"{statistics.median(seconds) * 1e3:.2f}", f"{p95 * 1e3:.2f}"]


def external_refs(html: str) -> int:
    refs = REFS.findall(html) + CSS_REFS.findall(html)
    off = [u for u in refs if OFF_ORIGIN.match(u) and not u.lower().startswith("data:")]
    return len(off) + len(LOADS.findall(html))


class Person:
    """One respondent with a fresh test client; appends each request's seconds to rec[kind]."""

    def __init__(self, target: dict, n: int, rec: dict, pages: dict | None = None):
        self.audience = AUDIENCES[n % len(AUDIENCES)]
        self.q = target["questionnaires"][self.audience]
        self.base = f"/s/{target['links'][self.audience][n // len(AUDIENCES) % 3]}"
        self.client, self.rec, self.pages, self.csrf = target["app"].test_client(), rec, pages, ""
        self.steps, self.final = all_steps(self.q), target["finals"].get(self.audience)

    def call(self, kind: str | None, path: str, data: dict | None = None):
        started = time.perf_counter()
        response = self.client.open(path, method="POST" if data else "GET", data=data)
        elapsed = time.perf_counter() - started
        assert data or response.status_code == 200, (path, response.status_code)
        if kind:
            self.rec[kind].append(elapsed)
        found = CSRF.search(response.get_data(as_text=True))
        self.csrf = found.group(1) if found else self.csrf
        if self.pages is not None and not data:
            self.pages[path.rsplit("/", 1)[1] if path.count("/") > 2 else "intro"] = response
        return response, elapsed

    def post_step(self, number: int):
        """POST a step's answers; once more if a follow-up question opened on the same page."""
        path, data = f"{self.base}/{number}", answers_for(self.q, self.steps[number - 1].questions)
        response, elapsed = self.call(None, path, {**data, "csrf_token": self.csrf})
        if "notice=opened" in (response.location or ""):  # the same page, one more question
            response, again = self.call(None, path, {**data, "csrf_token": self.csrf})
            elapsed += again
        assert response.status_code == 302, (response.status_code, response.get_data()[:300])
        return response, elapsed

    def walk_to_last(self) -> None:
        """Open the intro, start, and answer every step up to the last page (not posted).
        Without a known last step, post everything and remember where /danke came."""
        self.started = time.perf_counter()
        self.call("view", self.base)
        response, _ = self.call("post", f"{self.base}/start", {"csrf_token": self.csrf})
        while True:
            number = int(response.location.rsplit("/", 1)[1].split("?")[0])
            self.call("view", response.location)
            if number == self.final:
                return
            response, elapsed = self.post_step(number)
            if "/danke" in response.location:
                self.final = number
                self.call("view", response.location)
                return
            self.rec["post"].append(elapsed)

    def submit(self, whole_walk: bool = True) -> None:
        """POST the last step, which stores the response; for a whole walk open /danke too."""
        response, elapsed = self.post_step(self.final)
        assert "/danke" in response.location, response.location
        self.rec["submit"].append(elapsed)
        if whole_walk:
            self.call("view", response.location)
            self.rec["walk"].append(time.perf_counter() - self.started)


def page_weights(target: dict) -> None:
    """Walk every audience once, weigh every page; fills target["finals"] (the last steps)."""
    rows, seen = [], set()
    for n, audience in enumerate(AUDIENCES):
        person = Person(target, n, defaultdict(list), pages={})
        person.walk_to_last()
        target["finals"][audience] = person.final
        for key, response in person.pages.items():
            if key.isdigit():
                types = sorted({q.type for q in person.steps[int(key) - 1].questions})
                seen.update(types)
                rows.append([f"{audience} step {key} ({', '.join(types)})", response])
            elif audience == "families":  # intro and thank-you pages look alike for all
                rows.append([key, response])
    # An empty POST of the partners' first page, whose kind-of-organisation question is required.
    person = Person(target, AUDIENCES.index("partners"), defaultdict(list))
    person.call(None, person.base)
    person.call(None, f"{person.base}/start", {"csrf_token": person.csrf})
    posted, _ = person.call(None, f"{person.base}/1", {"csrf_token": person.csrf})
    assert "check=1" in posted.location, posted.location  # redirect after POST
    error, _ = person.call(None, posted.location)
    assert 'class="summary"' in error.get_data(as_text=True)
    rows.append(["error re-show (partners step 1, after the redirect)", error])
    out = []
    for label, response in rows:
        body = response.get_data()
        zipped = len(gzip.compress(body, compresslevel=6))
        first = zipped + len(str(response.headers)) + len("HTTP/1.1 200 OK\r\n")
        out.append([label, len(body), zipped, first, external_refs(body.decode())])
    table(
        "1. Page weight: the HTML is the whole page (CSS and read-aloud script inline, favicon data:)",
        ["page", "raw B", "gzip-6 B", "+ headers B", "external refs"],
        out,
    )
    worst, external = max(r[3] for r in out), sum(r[4] for r in out)
    missing = set(QUESTION_TYPES) - seen
    print(f"question types shown: {len(seen)}/{len(QUESTION_TYPES)} {sorted(missing) or '(all)'}")
    print(
        f"external references in all pages: {external}; heaviest first response {worst} B = all a"
        f" phone downloads -> budget 20 KB total, 14 KB first response:"
        f" {'met' if worst <= 14 * 1024 and external == 0 else 'MISSED'}"
    )


def threaded(jobs: list[list], threads: int) -> float:
    """Run jobs[t] (callables) in order in thread t, all starting together; wall seconds."""
    barrier, errors = threading.Barrier(threads + 1), []

    def work(row: list) -> None:
        barrier.wait()
        for job in row:
            try:
                job()
            except Exception as exc:  # noqa: BLE001 -- counted, and the first one shown
                errors.append(repr(exc))

    pool = [threading.Thread(target=work, args=(jobs[t],)) for t in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    if errors:
        print(f"!!!!! {len(errors)} FAILED in threads, first: {errors[0]}")
    return time.perf_counter() - started


def questionnaires(target: dict, threads: int, each: int, submit_only: bool = False):
    """Complete threads x each questionnaires, each thread its own; returns (timings, wall).
    With submit_only, walk every draft to its last page first and time only the submits."""
    rec: dict = defaultdict(list)
    people = [[Person(target, t + i * threads, rec) for i in range(each)] for t in range(threads)]
    if submit_only:
        for person in sum(people, []):
            person.walk_to_last()
        rec.clear()
        jobs = [[lambda p=p: p.submit(whole_walk=False) for p in row] for row in people]
    else:
        jobs = [[lambda p=p: (p.walk_to_last(), p.submit()) for p in row] for row in people]
    return rec, threaded(jobs, threads)


def counts(target: dict) -> tuple[int, int]:
    with target["app"].app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(m)) for m in (Response, Draft)
        )


def baseline(views: int) -> list[list]:
    """A bare Flask app rendering an ~8 KB Jinja page: one client, then 20 threads."""
    app, rec = Flask("bare"), defaultdict(list)
    app.jinja_env.loader = DictLoader({"page.html": BARE_PAGE})
    app.get("/")(lambda: render_template("page.html"))
    clients = [app.test_client() for _ in range(THREADS)]

    def view(client, kind: str) -> None:
        started = time.perf_counter()
        assert client.get("/").status_code == 200
        rec[kind].append(time.perf_counter() - started)

    for i in range(views + 50):
        view(clients[0], "one" if i >= 50 else "warm-up")
    jobs = [[lambda c=c: view(c, "threads")] * (2 * views // THREADS) for c in clients]
    wall, size = threaded(jobs, THREADS), len(clients[0].get("/").get_data())
    per_s = len(rec["threads"]) / wall
    return [
        timing(f"bare Flask, {size} B Jinja page", rec["one"]),
        timing(f"bare Flask, {THREADS} threads: {per_s:.0f} req/s", rec["threads"]),
    ]


def pg_bench_url(url: str) -> str:
    """The same server's database ``bench`` (created if missing), with an empty public schema."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = 'bench'")):
            conn.execute(text("CREATE DATABASE bench"))
    admin.dispose()
    bench = make_url(url).set(database="bench").render_as_string(hide_password=False)
    with create_engine(bench).begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    return bench


def prepare(url: str, finals: dict) -> dict:
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    # One address answers thousands of times here: rate limits off (walks.py keeps them on).
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    with app.app_context():
        links: dict = defaultdict(list)
        for link in ensure_demo(db.session):
            links[link.audience].append(link.token)
        found = {a: registry().get(a) for a in AUDIENCES}
    return {"app": app, "links": links, "questionnaires": found, "finals": finals}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="fewer iterations: a smoke run")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    walks, each, warmup = (40, 3, 8) if args.quick else (200, 20, 20)
    mode = "quick" if args.quick else "full"
    print(f"Mitwirken benchmarks, {mode} run, Python {sys.version.split()[0]}")
    tmp = tempfile.TemporaryDirectory(prefix="survey-bench-")
    targets = [("SQLite", f"sqlite:///{tmp.name}/bench.db")] if args.db != "postgresql" else []
    if args.db != "sqlite":
        try:
            targets.append(("PostgreSQL", pg_bench_url(args.pg_url)))
        except Exception as exc:  # noqa: BLE001 -- whatever the reason: skip it, loudly
            reason = str(exc).splitlines()[0]
            print(f"\n!!!!! PostgreSQL SKIPPED: cannot use {args.pg_url}: {reason} !!!!!")
    timings, throughput, checks, finals = [], [], [], {}
    for name, url in targets:
        target = prepare(url, finals)
        if not finals:  # the pages are the same whichever the database
            page_weights(target)
        questionnaires(target, 1, warmup)
        rec, _ = questionnaires(target, 1, walks)
        timings += [
            timing(f"{name}: page view (GET)", rec["view"]),
            timing(f"{name}: step POST (not the last)", rec["post"]),
            timing(f"{name}: final submit POST (stores)", rec["submit"]),
            timing(f"{name}: whole questionnaire walk", rec["walk"]),
        ]
        before = counts(target)
        for label, submit_only in (("whole walks", False), ("final submits only", True)):
            rec, wall = questionnaires(target, THREADS, each, submit_only)
            done = len(rec["submit"])
            view_p95 = timing("", rec["view"])[3] if rec["view"] else "-"
            row = [f"{name}: {label}", done, f"{wall:.2f}", f"{done / wall:.0f}", view_p95]
            throughput.append(row + [timing("", rec["submit"])[3]])
        after, expected = counts(target), 2 * THREADS * each
        stored, drafts = after[0] - before[0], after[1] - before[1]
        checks.append(
            f"{name} check: submitted {expected}, stored {stored}, lost {max(0, expected - stored)},"
            f" duplicated {max(0, stored - expected)}, drafts left over {drafts}"
            f" -> {'OK' if stored == expected and drafts == 0 else 'FAILED'}"
        )
        target["app"].extensions["survey_db"].engine.dispose()
    timings += baseline(100 if args.quick else 300)
    table(
        f"2. Server time per request, one client ({walks} walks after {warmup} warm-up)",
        ["what", "n", "median ms", "p95 ms"],
        timings,
    )
    print("budget: page view p95 <= 30 ms at 20 concurrent clients (about 2x bare Flask)")
    table(
        f"3. Concurrency: {THREADS} threads x {each} questionnaires, in two rounds",
        ["what", "n", "wall s", "per s", "view p95 ms", "submit p95 ms"],
        throughput,
    )
    print("\n".join(checks))
    print(
        "budget: >= 250 responses stored/s on SQLite, >= 150/s on PostgreSQL, 0 lost, 0 duplicated"
        "\nNOTE: in-process, all threads share one GIL (p95 includes waiting for it): a lower"
        "\nbound for a multi-process gunicorn deployment; compare with the bare Flask baseline."
    )
    tmp.cleanup()


if __name__ == "__main__":
    main()
