"""Mitwirken next to a bare Flask + SQLAlchemy app, both under gunicorn (2 sync workers).

One command, alternating project and bare app per round, on SQLite and PostgreSQL:

    .venv/bin/python benchmarks/gunicorn_side.py [--db sqlite,postgresql] [--rounds 2]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/mitwirken_bench]  # emptied! name must contain "bench"
        [--clients 20] [--requests 40] [--submits 200] [--port 52700]
        [--app-root /tmp/other-checkout]   # serve another checkout's code (a before/after run)

Per kind of request (intro, a question page with a live draft, the final submit) it
prints worker CPU per request (the workers' time on a CPU from /proc/<pid>/task/*/schedstat,
in nanoseconds, divided by the requests: stable on a shared machine, since time spent
waiting for a core is not counted), requests per second and p50/p95/p99 at ``--clients``
connections, and the load average while it ran; then stored/lost/duplicated after the
submit run (each walker's free-text answers carry its number), the first request of a
fresh worker started with ``--preload`` (wall time and the worker's CPU), and the
workers' memory (VmRSS, and PSS, which counts pages shared with the master once). Rate
limits are off: the clients all come from one address. The bare app
(benchmarks/bare_app.py) renders a 22 KB Jinja page after one SELECT and stores
1 response + the posted fields in one transaction. The load generator is Python threads
(cookie-carrying walks) on the same cores, so requests per second and latency include
its share and that of anything else running; CPU per request does not.
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

from sqlalchemy import text
from walks import Walker, prepare, stored_by_walker

from benchmarks.bare_app import create_tables
from survey.core.db import make_engine
from survey.respond.steps import all_steps

CLIENTS = 20


class Server:
    """gunicorn with the deployment's configuration, serving ``target`` from ``app_root``."""

    def __init__(
        self, target: str, env: dict, port: int, log: Path, app_root: Path, preload=False, workers=2
    ):
        args = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
        args += ["-b", f"127.0.0.1:{port}", "-w", str(workers)]
        if preload:
            args.append("--preload")
        self.port, self.log = port, log
        env = {**env, "PYTHONPATH": os.pathsep.join([str(app_root), str(ROOT)])}
        self.proc = subprocess.Popen(
            [*args, target], cwd=app_root, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT
        )
        # Ready when the port accepts and every worker has booted (on a loaded machine:
        # up to a minute); a master that exits (a worker failed to boot) stops the run
        # with its log, instead of a flood of refused connections.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = "\n".join(log.read_text().splitlines()[-30:])
                raise SystemExit(f"gunicorn for {target} exited ({self.proc.returncode}):\n{tail}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()  # no request
                if len(self.workers()) == workers:
                    break
            except OSError:
                pass
            time.sleep(0.05)
        else:
            self.stop()
            raise SystemExit(f"gunicorn for {target} did not start within a minute (log: {log})")

    def workers(self) -> list[int]:
        pid = self.proc.pid
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def cpu(self) -> float:
        """Seconds the workers have spent on a CPU (all their threads)."""
        total = 0
        for w in self.workers():
            for task in Path(f"/proc/{w}/task").iterdir():
                total += int((task / "schedstat").read_text().split()[0])
        return total / 1e9

    def memory_mb(self) -> tuple[float, float]:
        """The largest worker's VmRSS and PSS (pages shared with the master count once)."""
        rss, pss = [], []
        for w in self.workers():
            for line in Path(f"/proc/{w}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss.append(int(line.split()[1]) / 1024)
            for line in Path(f"/proc/{w}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss.append(int(line.split()[1]) / 1024)
        return max(rss), max(pss)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


def pct(times: list[float], p: float) -> float:
    s = sorted(times)
    return s[min(len(s) - 1, int(p * len(s)))] * 1000


def hammer(server: Server, jobs: list) -> dict:
    """Run each job (a callable returning seconds) spread over threads; CPU, rate, latency."""
    times: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    per_thread = [jobs[i::CLIENTS] for i in range(CLIENTS)]
    barrier = threading.Barrier(CLIENTS)

    def go(mine):
        barrier.wait()
        for job in mine:
            try:
                t = job()
            except Exception as exc:  # counted and shown, never silently dropped
                with lock:
                    failures.append(f"{type(exc).__name__}: {exc}")
                continue
            with lock:
                times.append(t)

    threads = [threading.Thread(target=go, args=(m,)) for m in per_thread]
    load0 = os.getloadavg()[0]
    cpu0 = server.cpu()
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    cpu = server.cpu() - cpu0
    if failures:
        print(f"  !! {len(failures)} of {len(jobs)} requests failed, e.g. {failures[0]}")
    if not times:
        raise SystemExit(f"every request failed (log: {server.log})")
    return {
        "cpu_ms": cpu * 1000 / len(times),
        "rps": len(times) / elapsed,
        "p50": pct(times, 0.5),
        "p95": pct(times, 0.95),
        "p99": pct(times, 0.99),
        "load": (load0 + os.getloadavg()[0]) / 2,
        "failed": len(failures),
    }


def timed_get(port: int, path: str, headers: dict | None = None) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    t = time.perf_counter()
    conn.request("GET", path, headers=headers or {})
    reply = conn.getresponse()
    reply.read()
    conn.close()
    if reply.status != 200:
        raise RuntimeError(f"GET answered {reply.status}")
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
    conn.close()
    if reply.status != 303:
        raise RuntimeError(f"POST answered {reply.status}")
    return time.perf_counter() - t


def first_request(target, env, port, log, app_root, path) -> tuple[float, float]:
    """A fresh worker's first request under --preload: wall ms and the worker's CPU ms."""
    server = Server(target, env, port, log, app_root, preload=True, workers=1)
    try:
        time.sleep(1.0)  # the worker has booted; its first request follows
        cpu0 = server.cpu()
        wall = timed_get(port, path)
        return wall * 1000, (server.cpu() - cpu0) * 1000
    finally:
        server.stop()


def run_db(kind: str, args, scratch: Path) -> dict:
    url = args.pg_url if kind == "postgresql" else f"sqlite:///{scratch}/{kind}.db"
    token, questionnaire = prepare(url, scratch)
    create_tables(url)
    # A letter first: six digits in a row would be taken for a phone number and scrubbed.
    run = "r" + uuid.uuid4().hex[:6]
    env = {
        **os.environ,
        "SURVEY_DATABASE_URL": url,
        "SURVEY_INSTANCE_PATH": str(scratch),
        "SURVEY_SECRET_KEY": "bench",
        "SURVEY_RATELIMIT_ENABLED": "false",
        "BARE_DATABASE_URL": url,
    }
    log = scratch / "gunicorn.log"
    app_root = Path(args.app_root).resolve()
    project_t, bare_t = "survey:create_app()", "benchmarks.bare_app:app"
    results: dict[tuple, list[dict]] = {}
    submitted = bare_posted = 0
    port = args.port
    for rnd in range(args.rounds):
        order = [("project", project_t), ("bare", bare_t)]
        if rnd % 2:
            order.reverse()
        for who, target in order:
            port += 1
            # The bare app is the yardstick: always this checkout's, whatever code is measured.
            server = Server(target, env, port, log, app_root if who == "project" else ROOT)
            try:
                for _ in range(20):  # warm both workers before measuring
                    timed_get(port, "/page" if who == "bare" else f"/s/{token}")
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
                    bare_posted += len(forms)
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
                rss, pss = server.memory_mb()
                results.setdefault(("memory", who), []).append({"rss": rss, "pss": pss})
            finally:
                server.stop()
    for who, target, path in (("project", project_t, f"/s/{token}"), ("bare", bare_t, "/page")):
        firsts = []
        for _ in range(3):
            port += 1
            root = app_root if who == "project" else ROOT
            firsts.append(first_request(target, env, port, log, root, path))
        results[("first request", who)] = [
            {
                "ms": statistics.median(f[0] for f in firsts),
                "cpu": statistics.median(f[1] for f in firsts),
            }
        ]

    _responses, per_walker = stored_by_walker(url, run)
    expected = args.rounds * args.submits
    lost = sum(1 for n in range(expected) if per_walker.get(f"{n:04d}", 0) == 0)
    doubled = sum(1 for v in per_walker.values() if v > 1)
    engine = make_engine(url)
    with engine.connect() as conn:
        bare_stored = conn.execute(
            text("SELECT count(*) FROM bare_answer WHERE text LIKE :p"), {"p": f"Lauf {run} bare %"}
        ).scalar()
    engine.dispose()

    def med(key, field):
        vals = [r[field] for r in results.get(key, [])]
        return statistics.median(vals) if vals else float("nan")

    loads = [r["load"] for rs in results.values() for r in rs if "load" in r]
    print(
        f"\n== {kind} (gunicorn 2 sync workers, {CLIENTS} connections, {args.rounds} rounds, "
        f"median of rounds; code: {app_root}) =="
    )
    print(
        f"load average (1 min) while measuring: {min(loads):.1f}–{max(loads):.1f} "
        f"on {os.cpu_count()} cores (req/s and latency suffer from it; CPU per request hardly)"
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
    failed = sum(r.get("failed", 0) for rs in results.values() for r in rs)
    print(f"failed requests: {failed}")
    print(
        f"final submits: {expected} walkers, {submitted} redirected to /danke; responses "
        f"stored {sum(per_walker.values())}, lost {lost}, duplicated {doubled}; bare: "
        f"{bare_posted} posted, {bare_stored} stored"
    )
    stored = med(("final submit", "project"), "rps") / med(("final submit", "bare"), "rps")
    print(
        f"stored per second: project {med(('final submit', 'project'), 'rps'):.0f}, bare "
        f"{med(('final submit', 'bare'), 'rps'):.0f} (ratio {stored:.2f})"
    )
    print(
        "first request of a fresh worker (--preload, median of 3): project "
        f"{med(('first request', 'project'), 'ms'):.0f} ms "
        f"({med(('first request', 'project'), 'cpu'):.1f} ms CPU), bare "
        f"{med(('first request', 'bare'), 'ms'):.0f} ms "
        f"({med(('first request', 'bare'), 'cpu'):.1f} ms CPU)"
    )
    print(
        "worker memory (largest worker after the load): project "
        f"VmRSS {med(('memory', 'project'), 'rss'):.0f} MB / PSS {med(('memory', 'project'), 'pss'):.0f} MB, "
        f"bare VmRSS {med(('memory', 'bare'), 'rss'):.0f} MB / PSS {med(('memory', 'bare'), 'pss'):.0f} MB"
    )
    return results


def main() -> None:
    global CLIENTS
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument(
        "--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/mitwirken_bench"
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=40, help="page views per client")
    parser.add_argument("--submits", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=52700, help="first of the ports used")
    parser.add_argument(
        "--app-root", default=str(ROOT), help="the checkout whose code gunicorn serves"
    )
    args = parser.parse_args()
    CLIENTS = args.clients
    for kind in args.db.split(","):
        scratch = Path(tempfile.mkdtemp(prefix="side-"))
        run_db(kind, args, scratch)
        print(f"(gunicorn log: {scratch / 'gunicorn.log'})")


if __name__ == "__main__":
    main()
