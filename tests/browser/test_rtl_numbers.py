"""Digit groups in Arabic and Farsi texts keep their order on screen ("116 111", not
"111 116"), as Chromium lays them out."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from browser import harness

ROOT = Path(__file__).resolve().parents[2]
GROUPS = re.compile(
    r"[0-9\u0660-\u0669\u06f0-\u06f9]+(?:[\u00a0\u202f][0-9\u0660-\u0669\u06f0-\u06f9]+)+"
)


def spaced_numbers(language: str) -> list[str]:
    found = []
    for po in (ROOT / "translations" / language / "LC_MESSAGES").glob("*.po"):
        with open(po, "rb") as fh:
            for message in read_po(fh, locale=language):
                strings = message.string if isinstance(message.string, tuple) else [message.string]
                found += [s for s in strings if s and GROUPS.search(s)]
    return found


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_phone_numbers_read_left_to_right(chromium, browser_ready, language):
    texts = spaced_numbers(language)
    assert texts, f"no number with digit groups in the {language} catalogs (the helpline?)"
    page = harness.phone(chromium, language=language).new_page()
    body = "".join(f'<p dir="rtl" lang="{language}">{html.escape(t)}</p>' for t in texts)
    page.set_content(f"<!doctype html><html><body>{body}</body></html>")
    order = page.evaluate(
        """(pattern) => [...document.querySelectorAll('p')].map(p => {
            const node = p.firstChild, text = node.data, out = [];
            for (const m of text.matchAll(new RegExp(pattern, 'g'))) {
              let at = m.index;
              const xs = m[0].split(/[\\u00a0\\u202f]/).map(group => {
                const range = document.createRange();
                range.setStart(node, at); range.setEnd(node, at + group.length);
                at += group.length + 1;
                return range.getBoundingClientRect().left;
              });
              out.push(xs);
            }
            return out;
          })""",
        GROUPS.pattern,
    )
    for text, numbers in zip(texts, order, strict=True):
        for xs in numbers:
            assert xs == sorted(xs), f"digit groups shown out of order in: {text}"
    page.context.close()
