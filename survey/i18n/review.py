"""Mechanical checks of the translation catalogs, for ``survey check`` and the tests.

Each finds a kind of error that a reader of one language would not notice and that can
mislead a respondent:

- placeholders: a ``%(num)s`` missing from or added to a translation (a wrong count
  or a crash when the page is drawn), and whatever GNU ``msgfmt --check`` finds;
- digit groups in right-to-left text: "116 111" with a plain space shows as
  "111 116" in Arabic or Farsi (the bidi algorithm orders the two numbers right to
  left). A no-break space (U+00A0) keeps them one number; so does an isolate
  (U+2066 ... U+2069) around the whole phone number;
- Arabic letters in Farsi: ي and ك (and ى) where Farsi writes ی and ک: they look
  alike in some fonts, differ in others, and break searching and sorting;
- a shared answer scale (``<questionnaire>:choices:<name>``) translated differently in
  two questionnaires of one language: results set side by side would compare answers
  to different wordings.
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from survey.i18n.catalogs import DOMAINS, Paths
from survey.i18n.locale import direction

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{(\w*)\}")
_DIGITS = "0-9\u0660-\u0669\u06f0-\u06f9"
#: Two digit groups separated only by ordinary white space (not U+00A0 or U+202F).
_SPLIT_NUMBER = re.compile(rf"[{_DIGITS}]+[ \t\u2009]+(?=[{_DIGITS}])")
_ISOLATED = re.compile("[\u2066\u2067\u2068][^\u2069]*\u2069")
#: Arabic letters that Farsi writes differently: the wrong letter -> the Farsi one.
FARSI_LETTERS = {"\u064a": "\u06cc", "\u0643": "\u06a9", "\u0649": "\u06cc"}
_SHARED_SCALE = re.compile(r"^[^:]+:choices:(.+)$")


def placeholders(text: str) -> set[str]:
    return {m.group(0) for m in _PLACEHOLDER.finditer(text)}


def _forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, list | tuple) else [message.string]


def _ids(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, list | tuple) else [message.id]


def _translated(catalog) -> list[Message]:
    return [m for m in catalog if m.id and not m.fuzzy and any(_forms(m))]


def single_value_forms(plural_expr: str, nplurals: int) -> set[int]:
    """The plural forms used for exactly one number (Arabic's "zero" and "one", the
    "one" of most languages): like msgfmt, these may leave the number out."""
    plural = gettext.c2py(plural_expr)
    counts = [0] * nplurals
    for n in range(1001):
        index = plural(n)
        if 0 <= index < nplurals:
            counts[index] += 1
    return {i for i, count in enumerate(counts) if count == 1}


def check_placeholders(message: Message, singles: set[int] = frozenset()) -> list[str]:
    wanted = set().union(*(placeholders(i) for i in _ids(message)))
    plural = isinstance(message.id, list | tuple)
    problems = []
    for n, form in enumerate(_forms(message)):
        if not form:
            continue
        found = placeholders(form)
        where = f"msgstr[{n}]" if plural else "msgstr"
        if found - wanted:
            problems.append(f"{where} has {', '.join(sorted(found - wanted))}, the source has not")
        if wanted - found and not (plural and n in singles):
            problems.append(f"{where} lacks {', '.join(sorted(wanted - found))}")
    return problems


def check_digit_groups(text: str) -> list[str]:
    bare = _ISOLATED.sub("", text)
    return [
        f"digit groups {m.group(0).strip()!r}… separated by a plain space reverse in "
        "right-to-left text: use a no-break space (U+00A0) or isolate the number "
        "(U+2066 … U+2069)"
        for m in _SPLIT_NUMBER.finditer(bare)
    ]


def check_farsi_letters(text: str) -> list[str]:
    return [
        f"Arabic {wrong} (U+{ord(wrong):04X}) in Farsi: write {right} (U+{ord(right):04X})"
        for wrong, right in FARSI_LETTERS.items()
        if wrong in text
    ]


def review(paths: Paths, root: Path | None = None) -> list[str]:
    """One ``file:line: problem`` per finding in every language's catalogs."""
    problems: list[str] = []
    for language in paths.languages():
        rtl = direction(language) == "rtl"
        for domain in DOMAINS:
            po = paths.po(language, domain)
            if not po.exists():
                continue
            name = _shown(po, root)
            with open(po, "rb") as fh:
                catalog = read_po(fh, locale=language)
            singles = single_value_forms(catalog.plural_expr, catalog.num_plurals)
            scales: dict[tuple[str, str], dict[str, list[Message]]] = defaultdict(
                lambda: defaultdict(list)
            )
            for message in _translated(catalog):
                found = check_placeholders(message, singles)
                for form in _forms(message):
                    if rtl:
                        found += check_digit_groups(form)
                    if language == "fa":
                        found += check_farsi_letters(form)
                problems += [f"{name}:{message.lineno}: {p}" for p in dict.fromkeys(found)]
                shared = _SHARED_SCALE.match(message.context or "")
                if shared:
                    scales[(shared.group(1), message.id)][message.string].append(message)
            for (scale, source), variants in scales.items():
                if len(variants) > 1:
                    first = min(m.lineno for ms in variants.values() for m in ms)
                    wordings = "; ".join(
                        f"{text!r} in {', '.join(m.context.split(':')[0] for m in ms)}"
                        for text, ms in variants.items()
                    )
                    problems.append(
                        f"{name}:{first}: the shared scale {scale} translates {source!r} "
                        f"differently: {wordings}"
                    )
    return problems


def msgfmt(paths: Paths, root: Path | None = None) -> list[str] | None:
    """What ``msgfmt --check`` says about each catalog; None when msgfmt is not installed."""
    binary = shutil.which("msgfmt")
    if binary is None:
        return None
    problems = []
    for language in paths.languages():
        for domain in DOMAINS:
            po = paths.po(language, domain)
            if not po.exists():
                continue
            result = subprocess.run(  # noqa: S603 (a fixed program on our own files)
                [binary, "--check", "-o", "/dev/null", str(po)],
                capture_output=True,
                text=True,
                check=False,
            )
            for line in result.stderr.splitlines():
                # Warnings about header fields (Last-Translator) are not about respondents.
                if "fatal error" in line or "warning: header field" in line or not line.strip():
                    continue
                problems.append(line.replace(str(po), _shown(po, root)))
    return problems


def _shown(path: Path, root: Path | None) -> str:
    try:
        return str(path.relative_to(root)) if root else str(path)
    except ValueError:
        return str(path)
