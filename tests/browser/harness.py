"""What the browser tests and ``benchmarks/pages.py`` share: a real server in a thread,
Debian's Chromium driven by Playwright, axe-core from npm, and a respondent who fills
any step with valid answers.

Nothing is downloaded at test time: Chromium comes from the system package
(``.ci/apt-packages``), axe-core from ``npm ci`` in this folder (pinned by
package-lock.json, installed into the git-ignored node_modules/).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("SURVEY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
#: A small Android phone.
PHONE = {"width": 360, "height": 740}


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def ensure_axe() -> Path:
    """axe-core at the version package-lock.json pins, installed once with ``npm ci``."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(
                "npm not found: needed once to install axe-core (apt-get install npm)"
            )
        subprocess.run(  # noqa: S603
            [npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=HERE, check=True, timeout=300
        )
    return AXE


class _Quiet(WSGIRequestHandler):
    """No werkzeug access lines: they would carry link tokens (the app logs its own,
    with route patterns only)."""

    def log(self, type: str, message: str, *args) -> None:  # noqa: A002 (werkzeug's name)
        pass


@contextmanager
def serving(app, port: int = 0) -> Iterator[str]:
    """The app on 127.0.0.1 in a thread; yields its base URL. Port 0: any free port."""
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def phone(browser, *, javascript: bool = True, language: str = "de"):
    """A fresh phone-sized context. CSP is bypassed only so that axe can be injected."""
    return browser.new_context(
        viewport=PHONE,
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=javascript,
        locale=language,
        extra_http_headers={"Accept-Language": language},
        bypass_csp=True,
    )


def axe(page, axe_path: Path | None = None) -> list[dict]:
    """axe-core's violations on the page as it is (every impact, every rule axe runs by default)."""
    page.add_script_tag(path=str(axe_path or ensure_axe()))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]],
        }
        for v in result
    ]


def text_zoom(page, percent: int) -> None:
    """The browser's text size setting (not page zoom): Chromium's default font size."""
    cdp = page.context.new_cdp_session(page)
    cdp.send(
        "Page.setFontSizes",
        {"fontSizes": {"standard": 16 * percent // 100, "fixed": 13 * percent // 100}},
    )


def overflow(page) -> int:
    """How much wider than the screen the page is, in CSS pixels (0: it fits)."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


def page_width(page) -> int:
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    )


#: Fills every visible, empty question of a step with a valid answer (the last real
#: point of a scale, the first two choices of a multiple choice, a small number).
FILL = """() => {
  const form = document.querySelector('form.step');
  const groups = {};
  form.querySelectorAll('input[type=radio], input[type=checkbox]').forEach(i => {
    (groups[i.name] = groups[i.name] || []).push(i);
  });
  for (const [name, inputs] of Object.entries(groups)) {
    if (name.endsWith('_other') || inputs.some(i => i.checked)) continue;
    const real = inputs.filter(i => !['98', '99'].includes(i.value));
    const excl = inputs.length;
    if (inputs[0].type === 'radio') real[real.length - 1].checked = true;
    else real[0].checked = true;
  }
  form.querySelectorAll('input[inputmode=numeric]').forEach(i => { if (!i.value) i.value = '2'; });
  form.querySelectorAll('input[type=text]:not([inputmode]), textarea').forEach(i => {
    if (!i.value && !i.name.endsWith('_other')) i.value = 'Mehr Zeit';
  });
}"""


def press(page, locator) -> None:
    """Click a button that submits a form and wait for the page that answers."""
    with page.expect_navigation(wait_until="load"):
        locator.click()


def go_on(page) -> None:
    """Answer the step and press "Weiter"; once more if a follow-up question opened."""
    page.evaluate(FILL)
    press(page, page.locator(".nav button[value=next]"))
    if "notice=opened" in page.url:
        page.evaluate(FILL)
        press(page, page.locator(".nav button[value=next]"))
