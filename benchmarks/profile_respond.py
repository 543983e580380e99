"""Where a respondent's requests spend their time (pyinstrument, test client, SQLite).

Run:  .venv/bin/python benchmarks/profile_respond.py [--repeat 200] [--html DIR]

Profiles, each over --repeat requests after a warm-up: the intro, a question page with
a live draft, and final submits (walked to the last page first, then only the final
POSTs are profiled); prints pyinstrument's text tree (sections above 2 %). Also the
first request of a fresh app after ``warm`` (what ``gunicorn --preload`` does).
pyinstrument is a developer tool, not a dependency: ``.venv/bin/pip install pyinstrument``.
"""
# ruff: noqa: E402

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "tests")]

from answering import answers_for
from pyinstrument import Profiler
from walks import prepare

from survey import create_app
from survey.respond.steps import all_steps
from survey.respond.warm import warm

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(page: bytes) -> str:
    return CSRF.search(page.decode()).group(1)


def to_last(client, token, questionnaire):
    page = client.get(f"/s/{token}").data
    r = client.post(f"/s/{token}/start", data={"csrf_token": csrf(page)})
    steps = all_steps(questionnaire)
    for _ in range(4 * len(steps)):
        location = r.headers["Location"]
        number = int(location.split("?")[0].rsplit("/", 1)[1])
        page = client.get(location).data
        data = {**answers_for(questionnaire, steps[number - 1].questions), "action": "next"}
        data["csrf_token"] = csrf(page)
        if b"Antworten absenden" in page:
            return f"/s/{token}/{number}", data
        r = client.post(f"/s/{token}/{number}", data=data)
        if r.status_code == 200:
            r = client.post(f"/s/{token}/{number}", data={**data, "csrf_token": csrf(r.data)})
    raise RuntimeError("no last page")


def show(title: str, profiler: Profiler) -> None:
    print(f"\n===== {title}")
    print(profiler.output_text(unicode=True, color=False, show_all=False, timeline=False))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="profile-"))
    url = f"sqlite:///{scratch}/p.db"
    token, questionnaire = prepare(url, scratch)
    config = {"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False}

    app = create_app(config, instance_path=str(scratch))
    started = time.perf_counter()
    warm(app)
    warmed = time.perf_counter() - started
    client = app.test_client()
    started = time.perf_counter()
    client.get(f"/s/{token}")
    print(
        f"warm: {warmed * 1000:.0f} ms; first request after warm: "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )

    for _ in range(20):
        client.get(f"/s/{token}")
    p = Profiler(interval=0.0002)
    p.start()
    for _ in range(args.repeat):
        client.get(f"/s/{token}")
    p.stop()
    show(f"intro x {args.repeat}", p)

    walker = app.test_client()
    page = walker.get(f"/s/{token}").data
    r = walker.post(f"/s/{token}/start", data={"csrf_token": csrf(page)})
    steps = all_steps(questionnaire)
    data = {**answers_for(questionnaire, steps[0].questions), "action": "next"}
    page = walker.get(r.headers["Location"]).data
    r = walker.post(f"/s/{token}/1", data={**data, "csrf_token": csrf(page)})
    second = r.headers["Location"].split("?")[0]
    for _ in range(20):
        walker.get(second)
    p = Profiler(interval=0.0002)
    p.start()
    for _ in range(args.repeat):
        walker.get(second)
    p.stop()
    show(f"question page with a draft x {args.repeat}", p)

    n = max(10, args.repeat // 5)
    walkers = []
    for _ in range(n):
        c = app.test_client()
        walkers.append((c, *to_last(c, token, questionnaire)))
    p = Profiler(interval=0.0002)
    p.start()
    for c, path, data in walkers:
        r = c.post(path, data=data)
        assert "/danke" in r.headers["Location"], r.headers["Location"]
    p.stop()
    show(f"final submit x {n}", p)


if __name__ == "__main__":
    main()
