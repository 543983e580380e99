"""Digit groups in Arabic and Farsi keep their order on screen ("116 111", not
"111 116"), as Chromium lays them out: on the children's pages that name the helpline,
and in every catalog text that holds such a number."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from browser import harness

ROOT = Path(__file__).resolve().parents[2]
DIGIT = "0-9\u0660-\u0669\u06f0-\u06f9"
GROUPS = re.compile(rf"[{DIGIT}]+(?:[ \u00a0\u202f][{DIGIT}]+)+")

#: For each run of digit groups in the page's text: the left edges of its groups on screen.
POSITIONS = """(pattern) => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.data.matchAll(new RegExp(pattern, 'g'))) {
      let at = m.index;
      const lefts = m[0].split(/[ \\u00a0\\u202f]/).map(group => {
        const range = document.createRange();
        range.setStart(node, at); range.setEnd(node, at + group.length);
        at += group.length + 1;
        return range.getBoundingClientRect().left;
      });
      out.push([m[0], lefts]);
    }
  }
  return out;
}"""


def catalog_texts(language: str) -> list[str]:
    found = []
    for po in (ROOT / "translations" / language / "LC_MESSAGES").glob("*.po"):
        with open(po, "rb") as fh:
            for message in read_po(fh, locale=language):
                if not message.id:  # the header (its dates are not for respondents)
                    continue
                strings = message.string if isinstance(message.string, tuple) else [message.string]
                found += [s for s in strings if s and GROUPS.search(s)]
    return found


def out_of_order(page) -> list[str]:
    return [
        number
        for number, lefts in page.evaluate(POSITIONS, GROUPS.pattern)
        if lefts != sorted(lefts)
    ]


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_phone_numbers_read_left_to_right(site, chromium, language):
    page = harness.phone(chromium, language=language).new_page()
    page.goto(f"{site['base']}/s/{site['links']['children']}?lang={language}")
    assert page.evaluate(POSITIONS, GROUPS.pattern), "the children's intro names no helpline"
    assert out_of_order(page) == []
    texts = catalog_texts(language)
    if texts:
        body = "".join(f'<p dir="rtl" lang="{language}">{html.escape(t)}</p>' for t in texts)
        page.set_content(f"<!doctype html><html><body>{body}</body></html>")
        assert out_of_order(page) == []
    page.context.close()
