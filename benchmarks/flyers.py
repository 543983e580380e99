"""Flyers for a whole campaign: time and memory for 100 schools in 3 languages.

A fresh SQLite database in a temp dir gets one campaign with 100 schools, each with a
families link; then the flyers are written exactly as ``survey flyers`` writes them
(one PDF per school: German; Arabic beside German; Turkish beside German), once on A4
and once as A5 two-up. Reports wall and CPU time (CPU time is the steadier figure on a
shared machine), CPU time per school, the PDFs' total size, the process's peak resident
memory before and after (``ru_maxrss``) and the peak of Python allocations during the run
(tracemalloc, measured in a separate pass because it slows the code down).

Run:  .venv/bin/python benchmarks/flyers.py [--schools 100] [--lang de,ar,tr]
"""
# ruff: noqa: E402

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from survey import create_app
from survey.core import migrate
from survey.core.db import make_engine
from survey.distribution.models import (
    Campaign,
    CampaignQuestionnaire,
    District,
    Link,
    Municipality,
    School,
)
from survey.distribution.services import new_token
from survey.extensions import db
from survey.paper.flyers import flyer_file_name, pages_for, write_flyers
from survey.paper.services import campaign_flyers
from survey.pdf import qr as pdf_qr
from survey.pdf import text as pdf_text
from survey.questionnaires.registry import registry


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_world(schools: int) -> None:
    municipality = Municipality(name="Benchstadt")
    district = District(name="Mitte", municipality=municipality)
    campaign = Campaign(slug="bench", title="Benchmark", municipality=municipality)
    campaign.questionnaires.append(
        CampaignQuestionnaire(audience="families", questionnaire_id="families")
    )
    db.session.add_all([municipality, district, campaign])
    for number in range(schools):
        school = School(
            number=f"{100001 + number}",
            name=f"Grundschule Nummer {number + 1}",
            school_type="Grundschule",
            district=district,
        )
        db.session.add(school)
        db.session.add(
            Link(token=new_token(), campaign=campaign, school=school, audience="families")
        )
    db.session.commit()


def run(out: Path, languages: list[str], two_up: bool) -> tuple[float, float, int, int]:
    # Each pass starts cold: no QR code or laid-out paragraph left over from the one before.
    pdf_qr._symbol.cache_clear()
    pdf_text._layout.cache_clear()
    start, cpu = time.perf_counter(), time.process_time()
    _questionnaire, flyers, _missing = campaign_flyers(
        db.session,
        "bench",
        "families",
        (),
        registry().get,
        "https://mitwirken.example",
    )
    pages = pages_for(languages)
    size = 0
    for flyer in flyers:
        target = out / flyer_file_name(flyer.key, flyer.school.name, "families")
        write_flyers(target, flyer.link, pages, two_up=two_up)
        size += target.stat().st_size
    return time.perf_counter() - start, time.process_time() - cpu, len(flyers), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--lang", default="de,ar,tr")
    args = parser.parse_args()
    languages = args.lang.split(",")
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/bench.db"
        migrate.upgrade(make_engine(url))
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
        with app.app_context():
            build_world(args.schools)
            registry().all()
            before = peak_rss_mib()
            print(f"peak RSS before: {before:.0f} MiB (app, questionnaires, fonts not yet loaded)")
            for two_up in (False, True):
                out = Path(scratch) / ("a5" if two_up else "a4")
                out.mkdir()
                seconds, cpu, count, size = run(out, languages, two_up)
                kind = "A5 two-up" if two_up else "A4"
                print(
                    f"{kind:9}: {count} schools x {len(pages_for(languages))} pages "
                    f"({'+'.join(languages)}): {seconds:.2f} s wall, {cpu:.2f} s CPU, "
                    f"{1000 * cpu / count:.0f} ms CPU/school, "
                    f"{size / 1e6:.1f} MB of PDF, peak RSS {peak_rss_mib():.0f} MiB"
                )
            out = Path(scratch) / "traced"
            out.mkdir()
            tracemalloc.start()
            run(out, languages, False)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"peak Python allocations while writing (A4 pass): {peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
