"""The respondent pages in Chromium at 360 x 740: axe violations by impact and the widest
page at 100 % and 200 % text, for every questionnaire in the given languages.

    .venv/bin/python benchmarks/pages.py [--lang de,ar,tr] [--screenshots DIR] [--port 51000]

Answers each questionnaire to the end with valid answers against a real server on a
throw-away SQLite database. Needs /usr/bin/chromium, playwright and axe-core (tests/browser).
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import harness  # noqa: E402

from survey import create_app  # noqa: E402
from survey.core import migrate  # noqa: E402
from survey.core.db import make_engine  # noqa: E402
from survey.distribution.services import ensure_demo  # noqa: E402
from survey.extensions import db  # noqa: E402

AUDIENCES = ("families", "staff", "children", "partners")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="de,ar,tr")
    parser.add_argument("--screenshots", type=Path)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--no-axe", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/pages.db"
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "pages", "INSTANCE_PATH": scratch})
        with app.app_context():
            links = {}
            for link in ensure_demo(db.session):
                links.setdefault(link.audience, link.token)
        started = time.perf_counter()
        with harness.serving(app, args.port) as base, harness.chromium() as browser:
            report(browser, base, links, args)
        print(f"took {time.perf_counter() - started:.1f} s")


class Audit:
    """Counts axe violations by impact and the widest page at 100 % and 200 % text."""

    def __init__(self, args) -> None:
        self.args = args
        self.impacts: collections.Counter = collections.Counter()
        self.rules: collections.Counter = collections.Counter()
        self.widest = {100: (0, ""), 200: (0, "")}
        self.too_wide: list[str] = []
        self.states = 0

    def look(self, page, name: str) -> None:
        self.states += 1
        shots = self.args.screenshots
        for percent in (100, 200):
            harness.text_zoom(page, percent)
            width = harness.page_width(page)
            if width > self.widest[percent][0]:
                self.widest[percent] = (width, name)
            if width > harness.PHONE["width"]:
                self.too_wide.append(f"{name} at {percent} %: {width} px")
            if shots and percent == 200:
                page.screenshot(path=str(shots / f"{name}-200.png"))
        harness.text_zoom(page, 100)
        if shots:
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        if not self.args.no_axe:
            for v in harness.axe(page):
                self.impacts[v["impact"]] += len(v["nodes"])
                self.rules[(v["id"], v["impact"])] += len(v["nodes"])
                print(f"  {name}: {v['id']} ({v['impact']}) {v['nodes'][:3]}")

    def print(self) -> None:
        print(f"{self.states} page states")
        print("axe violations (nodes) by impact:", dict(self.impacts) or "none")
        for (rule, impact), n in self.rules.most_common():
            print(f"  {rule} ({impact}): {n}")
        print("pages wider than the screen:", *self.too_wide or ["none"], sep="\n  ")
        for percent, (width, where) in self.widest.items():
            print(f"widest page at {percent} % text: {width} px ({where})")


def report(browser, base: str, links: dict[str, str], args) -> None:
    audit = Audit(args)
    for language in args.lang.split(","):
        for audience in AUDIENCES:
            context = harness.phone(browser, language=language)
            page = context.new_page()
            page.goto(f"{base}/s/{links[audience]}?lang={language}")
            name = f"{language}-{audience}"
            audit.look(page, f"{name}-intro")
            harness.press(page, page.locator("form[action$='/start'] button"))
            seen = 0
            while "/danke" not in page.url:
                seen += 1
                audit.look(page, f"{name}-step{page.url.rsplit('/', 1)[1].split('?')[0]}")
                harness.go_on(page)
                if seen > 80:
                    raise RuntimeError(f"{name}: no end in sight at {page.url}")
            audit.look(page, f"{name}-thanks")
            print(f"{name}: {seen} steps")
            context.close()
    audit.print()


if __name__ == "__main__":
    main()
