"""Mitwirken next to a bare Flask + SQLAlchemy app, both under gunicorn (2 sync workers).

One command, alternating project and bare app per round, on SQLite and PostgreSQL:

    .venv/bin/python benchmarks/gunicorn_side.py [--db sqlite,postgresql] [--rounds 2]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/mw_issue13]   # empties its public schema!
        [--clients 20] [--requests 40] [--submits 200] [--port 51350]

Per kind of request (intro, a question page with a live draft, the final submit) it
prints worker CPU per request (utime+stime of the workers from /proc, divided by the
requests: stable on a shared machine), requests per second and p50/p95/p99 at
``--clients`` connections; then stored/lost/duplicated after the submit run (each
walker's free-text answers carry its number), the first request of a fresh worker
started with ``--preload``, and the workers' memory (VmRSS). Rate limits are off:
the clients all come from one address. The bare app (benchmarks/bare_app.py) renders
a 22 KB Jinja page after one SELECT and stores 1 response + the posted fields in one
transaction. The load generator is Python threads (cookie-carrying walks), so
requests per second and latency include its own share of the two cores; CPU per
request does not.
"""
# ruff: noqa: E402

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "tests")]

from walks import Walker, prepare, stored_by_walker

from benchmarks.bare_app import create_tables
from survey.core.db import make_engine
from survey.respond.steps import all_steps

TICK = os.sysconf("SC_CLK_TCK")


class Server:
    def __init__(self, target: str, env: dict, port: int, log: Path, preload=False, workers=2):
        args = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
        args += ["-b", f"127.0.0.1:{port}", "-w", str(workers)]
        if preload:
            args.append("--preload")
        self.port = port
        self.proc = subprocess.Popen(
            [*args, target], cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT
        )
        for _ in range(1200):  # a loaded machine: up to a minute
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()  # no request
                break
            except OSError:
                time.sleep(0.05)
        for _ in range(100):
            if len(self.workers()) == workers:
                break
            time.sleep(0.05)

    def workers(self) -> list[int]:
        pid = self.proc.pid
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def cpu(self) -> float:
        total = 0
        for w in self.workers():
            fields = Path(f"/proc/{w}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / TICK

    def rss_mb(self) -> list[float]:
        out = []
        for w in self.workers():
            for line in Path(f"/proc/{w}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out.append(int(line.split()[1]) / 1024)
        return out

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def pct(times: list[float], p: float) -> float:
    s = sorted(times)
    return s[min(len(s) - 1, int(p * len(s)))] * 1000


def hammer(server: Server, jobs: list) -> dict:
    """Run each job (a callable returning seconds) spread over threads; CPU, rate, latency."""
    times: list[float] = []
    lock = threading.Lock()
    per_thread = [jobs[i::CLIENTS] for i in range(CLIENTS)]
    barrier = threading.Barrier(CLIENTS)

    def go(mine):
        barrier.wait()
        for job in mine:
            t = job()
            with lock:
                times.append(t)

    threads = [threading.Thread(target=go, args=(m,)) for m in per_thread]
    cpu0 = server.cpu()
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    cpu = server.cpu() - cpu0
    return {
        "cpu_ms": cpu * 1000 / len(times),
        "rps": len(times) / elapsed,
        "p50": pct(times, 0.5),
        "p95": pct(times, 0.95),
        "p99": pct(times, 0.99),
    }


def timed_get(port: int, path: str, headers: dict | None = None) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    t = time.perf_counter()
    conn.request("GET", path, headers=headers or {})
    reply = conn.getresponse()
    reply.read()
    assert reply.status == 200, (path, reply.status)
    conn.close()
    return time.perf_counter() - t


class BenchWalker(Walker):
    """A walker that stops before its final submit, then submits when told."""

    def to_last_page(self) -> None:
        base = f"/s/{self.token}"
        self.request("GET", base)
        status, location, _ = self.request("POST", base + "/start", {"csrf_token": self.csrf})
        steps = all_steps(self.questionnaire)
        for _ in range(4 * len(steps)):
            number = int(location.split("?")[0].rstrip("/").rsplit("/", 1)[1])
            _s, _l, page = self.request("GET", location)
            data = {**self.answers(steps[number - 1]), "csrf_token": self.csrf, "action": "next"}
            self.last = (f"{base}/{number}", data)
            if "Antworten absenden" in page:
                return
            status, location, _ = self.request("POST", f"{base}/{number}", data)
            if status == 200:
                data["csrf_token"] = self.csrf
                status, location, _ = self.request("POST", f"{base}/{number}", data)
        raise RuntimeError("no last page")

    def to_second_page(self) -> str:
        base = f"/s/{self.token}"
        self.request("GET", base)
        _s, location, _ = self.request("POST", base + "/start", {"csrf_token": self.csrf})
        steps = all_steps(self.questionnaire)
        data = {**self.answers(steps[0]), "csrf_token": self.csrf, "action": "next"}
        _s, location, _ = self.request("POST", f"{base}/1", data)
        return location.split("?")[0]

    def submit(self) -> float:
        path, data = self.last
        data["csrf_token"] = self.csrf
        n = len(self.times)
        status, location, _ = self.request("POST", path, data)
        if status == 200:  # a follow-up opened: answer it too
            data["csrf_token"] = self.csrf
            status, location, _ = self.request("POST", path, data)
        self.submitted = "/danke" in location
        return sum(self.times[n:])


def post_bare(port: int, form: dict) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = urllib.parse.urlencode(form)
    t = time.perf_counter()
    conn.request(
        "POST", "/submit", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    reply = conn.getresponse()
    reply.read()
    assert reply.status == 303, reply.status
    conn.close()
    return time.perf_counter() - t


def run_db(kind: str, args, scratch: Path) -> list[tuple]:
    url = args.pg_url if kind == "postgresql" else f"sqlite:///{scratch}/{kind}.db"
    token, questionnaire = prepare(url, scratch)
    create_tables(url)
    run = uuid.uuid4().hex[:6]
    env = {
        **os.environ,
        "SURVEY_DATABASE_URL": url,
        "SURVEY_INSTANCE_PATH": str(scratch),
        "SURVEY_SECRET_KEY": "bench",
        "SURVEY_RATELIMIT_ENABLED": "false",
        "BARE_DATABASE_URL": url,
    }
    log = scratch / "gunicorn.log"
    project_t, bare_t = "survey:create_app()", "benchmarks.bare_app:app"
    rows: list[tuple] = []
    results: dict[tuple, list[dict]] = {}
    submitted = 0
    port = args.port
    for rnd in range(args.rounds):
        order = [("project", project_t), ("bare", bare_t)]
        if rnd % 2:
            order.reverse()
        for who, target in order:
            port += 1
            server = Server(target, env, port, log)
            try:
                for _ in range(20):  # warm both workers before measuring
                    try:
                        timed_get(port, "/page" if who == "bare" else f"/s/{token}")
                    except OSError:  # a worker still starting on a loaded machine
                        time.sleep(1)
                if who == "bare":
                    results.setdefault(("page view", who), []).append(
                        hammer(
                            server,
                            [lambda port=port: timed_get(port, "/page")] * CLIENTS * args.requests,
                        )
                    )
                    forms = [
                        {**{f"q{i}": "teils" for i in range(30)}, "t": f"Lauf {run} bare {n}"}
                        for n in range(args.submits)
                    ]
                    results.setdefault(("final submit", who), []).append(
                        hammer(server, [lambda f=f, port=port: post_bare(port, f) for f in forms])
                    )
                else:
                    results.setdefault(("intro", who), []).append(
                        hammer(
                            server,
                            [lambda port=port: timed_get(port, f"/s/{token}")]
                            * CLIENTS
                            * args.requests,
                        )
                    )
                    walkers = [
                        BenchWalker(port, token, 9000 + i, run, questionnaire)
                        for i in range(CLIENTS)
                    ]
                    jobs = []
                    for w in walkers:
                        page = w.to_second_page()
                        jobs += [
                            lambda w=w, page=page, port=port: timed_get(
                                port, page, {"Cookie": w.cookie}
                            )
                        ] * args.requests
                    results.setdefault(("question page (draft)", who), []).append(
                        hammer(server, jobs)
                    )
                    base = rnd * args.submits
                    walkers = [
                        BenchWalker(port, token, base + i, run, questionnaire)
                        for i in range(args.submits)
                    ]
                    prep = [
                        threading.Thread(
                            target=lambda ws=walkers[k::CLIENTS]: [w.to_last_page() for w in ws]
                        )
                        for k in range(CLIENTS)
                    ]
                    for t in prep:
                        t.start()
                    for t in prep:
                        t.join()
                    results.setdefault(("final submit", who), []).append(
                        hammer(server, [w.submit for w in walkers])
                    )
                    submitted += sum(getattr(w, "submitted", False) for w in walkers)
                results.setdefault(("memory", who), []).append({"mb": max(server.rss_mb())})
            finally:
                server.stop()
    # first request of a fresh worker with --preload (one worker, after it has booted)
    for who, target, path in (("project", project_t, f"/s/{token}"), ("bare", bare_t, "/page")):
        firsts = []
        for _ in range(3):
            port += 1
            server = Server(target, env, port, log, preload=True, workers=1)
            time.sleep(1.0)  # the worker has booted; its first request follows
            firsts.append(timed_get(port, path) * 1000)
            server.stop()
        results[("first request", who)] = [{"ms": statistics.median(firsts)}]

    responses, per_walker = stored_by_walker(url, run)
    expected = args.rounds * args.submits
    lost = sum(1 for n in range(expected) if per_walker.get(f"{n:04d}", 0) == 0)
    doubled = sum(1 for v in per_walker.values() if v > 1)
    engine = make_engine(url)
    engine.dispose()

    def med(key, field):
        vals = [r[field] for r in results.get(key, [])]
        return statistics.median(vals) if vals else float("nan")

    print(
        f"\n== {kind} (gunicorn 2 sync workers, {CLIENTS} connections, {args.rounds} rounds, "
        "median of rounds) =="
    )
    print(
        f"{'request':24} {'who':8} {'CPU ms/req':>10} {'req/s':>7} {'p50':>6} {'p95':>6} "
        f"{'p99':>6} {'CPU ratio':>9}"
    )
    for kind_ in ("intro", "question page (draft)", "final submit"):
        bare_key = ("page view", "bare") if kind_ != "final submit" else ("final submit", "bare")
        for who, key in (("project", (kind_, "project")), ("bare", bare_key)):
            ratio = med(key, "cpu_ms") / med(bare_key, "cpu_ms")
            print(
                f"{kind_:24} {who:8} {med(key, 'cpu_ms'):10.2f} {med(key, 'rps'):7.0f} "
                f"{med(key, 'p50'):6.1f} {med(key, 'p95'):6.1f} {med(key, 'p99'):6.1f} "
                f"{ratio:9.2f}"
            )
    print(
        f"final submits: {expected} walkers, {submitted} redirected to /danke; responses "
        f"stored {sum(per_walker.values())}, lost {lost}, duplicated {doubled}"
    )
    print(
        f"stored per second: project {med(('final submit', 'project'), 'rps'):.0f}, bare "
        f"{med(('final submit', 'bare'), 'rps'):.0f} (ratio "
        f"{med(('final submit', 'project'), 'rps') / med(('final submit', 'bare'), 'rps'):.2f})"
    )
    print(
        f"first request of a fresh worker (--preload, median of 3): project "
        f"{med(('first request', 'project'), 'ms'):.0f} ms, bare "
        f"{med(('first request', 'bare'), 'ms'):.0f} ms"
    )
    print(
        f"worker memory (VmRSS, largest worker after the load): project "
        f"{med(('memory', 'project'), 'mb'):.0f} MB, bare {med(('memory', 'bare'), 'mb'):.0f} MB"
    )
    return rows


CLIENTS = 20


def main() -> None:
    global CLIENTS
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument(
        "--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/mw_issue13"
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=40, help="page views per client")
    parser.add_argument("--submits", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=51350)
    args = parser.parse_args()
    CLIENTS = args.clients
    for kind in args.db.split(","):
        scratch = Path(tempfile.mkdtemp(prefix="side-"))
        run_db(kind, args, scratch)
        print(f"(gunicorn log: {scratch / 'gunicorn.log'})")


if __name__ == "__main__":
    main()
