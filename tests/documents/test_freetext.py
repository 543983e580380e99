"""Free text as listed: bidi controls that could turn a text around are dropped, each
answer carries the language it is written in where that is known, and both renderers
get the same cleaned text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from document_worlds import build_world, load
from report_factories import make_responses

from survey.documents import freetext, html, model, services
from survey.documents.freetext import FSI, LRE, LRI, LRO, PDF, PDI, RLE, RLI, RLO
from survey.extensions import db

#: a text that shows "Schule ist gut" but is stored reversed behind a right-to-left override
SPOOF = "Die " + RLO + "tug tsi eluhcS" + PDF + " Antwort"
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (SPOOF, "Die tug tsi eluhcS Antwort"),
        ("a" + LRO + "b", "ab"),  # an override never closed
        ("a" + RLI + "b", "ab"),  # an isolate never closed
        ("a" + PDF + "b" + PDI + "c", "abc"),  # pops with nothing open
        ("a" + RLE + "b" + PDF + "c", "a" + RLE + "b" + PDF + "c"),  # a closed embedding
        ("a" + FSI + "b" + PDI + "c", "a" + FSI + "b" + PDI + "c"),  # a closed isolate
        ("a" + LRI + "b" + LRE + "c" + PDI, "a" + LRI + "bc" + PDI),  # left open inside
        ("a" + RLE + "b\nc" + PDF, "ab\nc"),  # a paragraph's end closes everything
        ("ohne Steuerzeichen", "ohne Steuerzeichen"),
    ],
)
def test_stray_and_overriding_bidi_controls_are_dropped(given, kept):
    assert freetext.without_stray_bidi(given) == kept


def test_an_answer_is_marked_with_its_language_when_its_script_says_so():
    assert freetext.language_of("نريد مزيدًا من المعلومات", "ar") == "ar"
    assert freetext.language_of("Больше информации", "ru") == "ru"
    assert freetext.language_of("Daha fazla bilgi", "tr") == "tr"
    # German typed under the Arabic questionnaire is not Arabic; no language, no letters
    assert freetext.language_of("Mehr Informationen", "ar") is None
    assert freetext.language_of("Mehr Informationen", None) is None
    assert freetext.language_of("12345 !", "ar") is None


class _Answers(HTMLParser):
    """The free-text section's list items: attributes and text."""

    def __init__(self) -> None:
        super().__init__()
        self.inside, self.in_item, self.items = False, False, []

    def handle_starttag(self, tag, attrs):
        if tag == "section" and ("class", "free") in attrs:
            self.inside = True
        elif self.inside and tag == "li":
            self.items.append([dict(attrs), ""])
            self.in_item = True

    def handle_endtag(self, tag):
        if tag == "section":
            self.inside = False
        elif tag == "li":
            # text between items (the page's line breaks) belongs to none: the answers are
            # listed in random order, and the last one took it (a test that failed by chance)
            self.in_item = False

    def handle_data(self, data):
        if self.inside and self.in_item and self.items:
            self.items[-1][1] += data


def test_a_reversed_answer_is_listed_without_its_override_isolated_and_marked(app):
    world = build_world(app)
    with app.app_context():
        make_responses(db.session, world, "Nordschule", [{"wish": SPOOF}] * 2)
        make_responses(db.session, world, "Nordschule",
                       [{"wish": "نريد " + RLO + "مزيدًا"}, {"wish": "Mehr Infos"}],
                       language="ar")  # fmt: skip
        db.session.commit()
    src = load(app)
    with app.app_context():
        unit = next(u for u in model.units(src, "school")
                    if src.built.figures.names[("school", u)] == "Nordschule")  # fmt: skip
        report = services.report(db.session, src, "school", unit, ["families"], analyst=True)
    listed = [a for s in report.sections if s.kind == "freetext" for q in s.questions
              for a in q.answers]  # fmt: skip
    assert listed and not any(BIDI.search(a.text) for a in listed)  # one place for both renderers
    assert freetext.FreeText("نريد مزيدًا", "ar") in listed
    assert freetext.FreeText("Mehr Infos", None) in listed
    with app.test_request_context():
        page = html.render(report, standalone=True)
    parser = _Answers()
    parser.feed(page)
    assert parser.items and not any(BIDI.search(text) for _attrs, text in parser.items)
    assert all(attrs.get("dir") == "auto" for attrs, _text in parser.items)
    assert {"dir": "auto", "lang": "ar"} in [attrs for attrs, _text in parser.items]
    spoofed = [attrs for attrs, text in parser.items if text == "Die tug tsi eluhcS Antwort"]
    assert spoofed == [{"dir": "auto", "lang": "de"}] * 2
    # each answer its own bidi paragraph, isolated from its neighbours
    css = re.search(r"\.report \.free li\{([^}]*)\}", html.CSS.replace("\n", " "))
    assert css and re.search(r"unicode-bidi:(isolate|plaintext)", css.group(1))
