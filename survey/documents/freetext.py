"""The free-text answers of a unit, for the analysts' version of a report only.

An answer is listed only where both the report's unit and the school it came from have
at least k responses of its audience (a text from a school where two families answered
points at them, even inside a district's list). Every text is scrubbed again with the
rule used at storage, and the answers go out in random order, never in the order they
were stored. The text is returned as typed, but for bidi controls that could turn the
display of a text (or of what follows it) around: each renderer escapes it for its
medium and sets it apart from its neighbours (HTML isolates it, the PDF draws it on
lines of its own).
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from babel.core import get_global
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.core.scrub import scrub
from survey.distribution.models import Campaign, School
from survey.documents.respondents import Respondents
from survey.questionnaires.definition import Questionnaire
from survey.respond.models import Answer, Response

#: one listing never holds more (a long report is read by nobody)
MAX_PER_QUESTION = 300

_shuffle = random.SystemRandom().shuffle

#: explicit bidi formatting: embeddings LRE RLE, pop PDF, overrides LRO RLO; isolates
#: LRI RLI FSI, pop PDI
LRE, RLE, PDF, LRO, RLO = "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: where the bidi algorithm ends every embedding and isolate (a paragraph's end)
_PARAGRAPH_END = re.compile("(\r\n|[\n\r\x1c-\x1e\x85\u2029])")
#: Unicode script codes (as Babel's likely subtags name them) -> the first word of the
#: character names of their letters
_SCRIPT_NAMES = {"Latn": "LATIN", "Arab": "ARABIC", "Cyrl": "CYRILLIC", "Grek": "GREEK",
                 "Hebr": "HEBREW", "Ethi": "ETHIOPIC", "Armn": "ARMENIAN", "Geor": "GEORGIAN"}  # fmt: skip


@dataclass(frozen=True)
class FreeText:
    """One answer as it may be listed."""

    text: str
    #: the language it is written in (BCP 47, "ar"), None when not known
    lang: str | None = None


def without_stray_bidi(text: str) -> str:
    """``text`` without the bidi controls that could reverse how it (or what stands after
    it) is displayed: every override (LRO, RLO, and the PDF that ends one), and every
    embedding or isolate that is not closed in the same paragraph, or closed twice.
    Embeddings and isolates that open and close in order are kept (they are a writer's
    way of setting a name or a number apart); the renderers isolate each answer anyway."""
    if not _BIDI.search(text):
        return text
    return "".join(_paired(part) for part in _PARAGRAPH_END.split(text))


def _paired(paragraph: str) -> str:
    chars = list(paragraph)
    keep = [not _BIDI.fullmatch(c) for c in chars]
    #: what stands open: (index, control)
    stack: list[tuple[int, str]] = []
    for i, c in enumerate(chars):
        if c in (LRE, RLE, LRO, RLO, LRI, RLI, FSI):
            stack.append((i, c))
        elif c == PDF and stack and stack[-1][1] in (LRE, RLE, LRO, RLO):
            opened, kind = stack.pop()  # a PDF closes the innermost embedding or override
            if kind in (LRE, RLE):
                keep[opened] = keep[i] = True
        elif c == PDI:
            isolates = [j for j, (_i, kind) in enumerate(stack) if kind in (LRI, RLI, FSI)]
            if isolates:  # a PDI closes the innermost isolate and whatever opened inside it
                opened = stack[isolates[-1]][0]
                del stack[isolates[-1] :]
                keep[opened] = keep[i] = True
    return "".join(c for c, k in zip(chars, keep, strict=True) if k)


def language_of(text: str, language: str | None) -> str | None:
    """The language a respondent answered the questionnaire in, as the language of a
    text, when the text is written in that language's script (an answer typed in German
    letters under the Arabic questionnaire is not marked Arabic); else None."""
    if not language:
        return None
    tag = language.replace("_", "-")
    subtags = get_global("likely_subtags").get(tag.split("-")[0].lower(), "")
    parts = subtags.split("_")
    script = _SCRIPT_NAMES.get(parts[1]) if len(parts) > 1 else None
    if script is None:
        return None
    letters = [c for c in text if unicodedata.category(c).startswith("L")]
    if not letters:
        return None
    inside = sum(unicodedata.name(c, "").startswith(script) for c in letters)
    return tag if inside * 2 > len(letters) else None


def listing(
    session: Session,
    campaign: Campaign,
    questionnaires: Mapping[str, Questionnaire],
    respondents: Respondents,
    level: str,
    unit: str,
    audiences: Iterable[str],
    k: int,
) -> dict[tuple[str, str, str], list[FreeText]]:
    """(audience, questionnaire, variable) -> the texts that may be listed, shuffled."""
    schools = respondents.schools_of.get((level, unit), frozenset())
    found: dict[tuple[str, str, str], list[FreeText]] = defaultdict(list)
    for audience in audiences:
        total = respondents.get(level, unit, audience)
        if total.n is None or total.n < k:
            continue  # the unit itself is too small for this audience (or its count hidden)
        allowed = [s for s in schools if respondents.per_school.get((s, audience), 0) >= k]
        if not allowed:
            continue
        text_variables = {
            (qid, v)
            for qid, q in questionnaires.items()
            for v, _question, kind in q.variables()
            if kind == "text"
        }
        rows = session.execute(
            select(Response.questionnaire_id, Answer.variable, Answer.text, Response.language)
            .join(Response, Answer.response_id == Response.id)
            .join(School, Response.school_id == School.id)
            .where(
                Response.campaign_id == campaign.id,
                Response.audience == audience,
                School.number.in_(allowed),
                Answer.text.is_not(None),
            )
        )
        for qid, variable, text, language in rows:
            if (qid, variable) not in text_variables:
                continue  # a variable an older version had
            cleaned = without_stray_bidi(scrub(text)).strip()
            if cleaned:
                found[(audience, qid, variable)].append(
                    FreeText(cleaned, language_of(cleaned, language))
                )
    for texts in found.values():
        _shuffle(texts)
        del texts[MAX_PER_QUESTION:]
    return dict(found)
