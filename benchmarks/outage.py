"""How long a respondent waits before the outage page, against gunicorn (2 sync workers).

The database URL names PostgreSQL on a port where nothing listens ("refused"), then
on a port where a tiny server accepts connections and never answers ("hanging").
Each case sends 10 page views and 10 step posts, --parallel at a time (2), and reports the wait
and the status (503 expected, in the page's language, with the form kept).

Run:  .venv/bin/python benchmarks/outage.py [--port 5960]
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def silent_server(port: int) -> socket.socket:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    held = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return listener


def session_for_posts() -> tuple[str, str]:
    """A session cookie and CSRF token as a page would have given them (the pages
    themselves cannot be had while the database is away)."""
    sys.path.insert(0, str(ROOT))
    from flask import session
    from flask_wtf.csrf import generate_csrf

    from survey import create_app

    app = create_app(
        {"DATABASE_URL": "sqlite://", "SECRET_KEY": "bench"}, instance_path=tempfile.mkdtemp()
    )
    with app.test_request_context():
        token = generate_csrf()
        session["lang"] = "tr"
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return f"mitwirken={cookie}", token


COOKIE, CSRF_TOKEN = "", ""
PARALLEL = 2


def timed(port: int, method: str, path: str) -> tuple[float, int, bool]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = f"welcome=3&action=next&csrf_token={CSRF_TOKEN}" if method == "POST" else None
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "tr"}
    if method == "POST":
        headers["Cookie"] = COOKIE
    started = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    reply = conn.getresponse()
    html = reply.read().decode()
    return time.perf_counter() - started, reply.status, 'lang="tr"' in html


def run_case(name: str, db_port: int, port: int) -> None:
    scratch = tempfile.mkdtemp(prefix="outage-")
    env = {
        **os.environ,
        "SURVEY_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{db_port}/none",
        "SURVEY_INSTANCE_PATH": scratch,
        "SURVEY_SECRET_KEY": "bench",
        "SURVEY_TRANSLATIONS_DIR": str(ROOT / "translations"),
    }
    conf = str(ROOT / "deploy" / "gunicorn.conf.py")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            conf,
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "survey:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                timed(port, "GET", "/s/warmup")  # also loads the catalogs in a worker
                break
            except OSError:
                time.sleep(0.1)
        for _ in range(2):
            timed(port, "GET", "/s/warmup")
        jobs = [("GET", "/s/abcdefgh1234")] * 10 + [("POST", "/s/abcdefgh1234/1")] * 10
        with ThreadPoolExecutor(PARALLEL) as pool:
            results = list(pool.map(lambda j: timed(port, *j), jobs))
    finally:
        server.terminate()
        server.wait(timeout=30)
    waits = sorted(r[0] for r in results)
    statuses = sorted({r[1] for r in results})
    print(
        f"{name:8s} statuses {statuses}, in the browser's language: "
        f"{sum(r[2] for r in results)}/{len(results)}; wait median "
        f"{statistics.median(waits):.2f} s, max {waits[-1]:.2f} s ({PARALLEL} at a time, 2 workers)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=5960)
    parser.add_argument("--parallel", type=int, default=2, help="requests at a time")
    args = parser.parse_args()
    global COOKIE, CSRF_TOKEN, PARALLEL
    PARALLEL = args.parallel
    COOKIE, CSRF_TOKEN = session_for_posts()
    run_case("refused", args.port + 1, args.port)
    listener = silent_server(args.port + 2)
    try:
        run_case("hanging", args.port + 2, args.port + 3)
    finally:
        listener.close()


if __name__ == "__main__":
    main()
