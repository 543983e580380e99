"""Fonts found at run time in the Debian packages, registered with reportlab and embedded.

No font file is shipped with the project: ``fonts-dejavu-core`` covers every language we
print (Latin with Turkish and Romanian letters, Cyrillic, Arabic and Farsi); where
``fonts-noto-core`` is installed, its Noto Sans Arabic draws Arabic and Farsi more
legibly. Symbols and emoji in respondents' free text are drawn with the symbol faces
that are installed (``fonts-symbola`` draws nearly every emoji in black and white; Noto Sans
Symbols 2 of ``fonts-noto-core`` the arrows, ticks and stars); a character that no face
has becomes a visible placeholder (``survey.pdf.text.MISSING``), never an empty box.
reportlab embeds (a subset of) every TrueType font it draws with.

reportlab 5.1 writes the ToUnicode map of a subset with four hex digits, which cuts a
character beyond U+FFFF (every emoji) to a wrong one when the text is copied or searched
(😀 U+1F600 read back as U+F600); ``_to_unicode_cmap`` writes them as UTF-16 pairs, as the
PDF standard asks (ISO 32000-1, 9.10.3), and replaces reportlab's function.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from survey.core.errors import SurveyError

#: Where Debian installs fonts; ``SURVEY_FONT_DIRS`` (separated by ``:``) replaces the list.
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")

#: (regular, bold) file names in order of preference, with the package that brings them.
LATIN = (
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "fonts-dejavu-core"),
    ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "fonts-noto-core"),
)
ARABIC = (
    ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf", "fonts-noto-core"),
    ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf", "fonts-noto-core"),
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "fonts-dejavu-core"),
)

#: fallbacks for symbols and emoji, all that are installed, in this order (file, package)
SYMBOLS = (
    ("Symbola_hint.ttf", "fonts-symbola"),
    ("Symbola.ttf", "fonts-symbola"),
    ("NotoSansSymbols2-Regular.ttf", "fonts-noto-core"),
    ("NotoSansSymbols-Regular.ttf", "fonts-noto-core"),
)


def _to_unicode_cmap(fontname: str, subset) -> str:
    """reportlab's ToUnicode map of a font subset, with every code point as UTF-16BE."""

    def utf16(code: int) -> str:
        return chr(code).encode("utf-16-be", "surrogatepass").hex().upper()

    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *(f"<{i:02X}> <{utf16(v)}>" for i, v in enumerate(subset)),
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


ttfonts.makeToUnicodeCMap = _to_unicode_cmap


class FontsMissing(SurveyError):
    """No usable font is installed: printing cannot start."""

    status = 500

    def __init__(self, searched: tuple[str, ...]) -> None:
        super().__init__(
            "no font for printing found in "
            + ", ".join(searched)
            + ": install the Debian package fonts-dejavu-core "
            "(apt-get install fonts-dejavu-core; fonts-noto-core improves Arabic and Farsi)"
        )


@dataclass(frozen=True)
class Face:
    """One registered font: its reportlab name and the characters it can draw."""

    name: str
    path: Path

    @cached_property
    def chars(self) -> frozenset[int]:
        font = pdfmetrics.getFont(self.name)
        return frozenset(font.face.charToGlyph)  # type: ignore[attr-defined]

    def has(self, char: str) -> bool:
        return ord(char) in self.chars


@dataclass(frozen=True)
class FontSet:
    """The faces a document draws with; each text run takes the first face that has its letters."""

    latin: Face
    latin_bold: Face
    arabic: Face
    arabic_bold: Face
    #: symbol and emoji faces (regular only), tried after the faces of the text
    symbols: tuple[Face, ...] = ()

    def chain(self, rtl: bool, bold: bool = False) -> tuple[Face, ...]:
        latin = self.latin_bold if bold else self.latin
        arabic = self.arabic_bold if bold else self.arabic
        return ((arabic, latin) if rtl else (latin, arabic)) + self.symbols


def font_dirs() -> tuple[str, ...]:
    configured = os.environ.get("SURVEY_FONT_DIRS")
    return tuple(d for d in configured.split(":") if d) if configured else FONT_DIRS


def _find(name: str, dirs: tuple[str, ...]) -> Path | None:
    for directory in dirs:
        for root, _dirs, files in os.walk(directory):
            if name in files:
                return Path(root) / name
    return None


def _pick(
    candidates: tuple[tuple[str, str, str], ...], dirs: tuple[str, ...]
) -> tuple[Path, Path] | None:
    for regular, bold, _package in candidates:
        found_regular = _find(regular, dirs)
        if found_regular is not None:
            return found_regular, _find(bold, dirs) or found_regular
    return None


_lock = threading.Lock()
_cache: dict[tuple[str, ...], FontSet] = {}


def fonts() -> FontSet:
    """The fonts of this machine, registered once per process (FontsMissing when none)."""
    dirs = font_dirs()
    with _lock:
        if dirs not in _cache:
            latin = _pick(LATIN, dirs)
            arabic = _pick(ARABIC, dirs)
            if latin is None or arabic is None:
                raise FontsMissing(dirs)
            faces = [_register(path) for path in (*latin, *arabic)]
            found = (_find(name, dirs) for name, _package in SYMBOLS)
            symbols = tuple(_register(path) for path in dict.fromkeys(found) if path)
            _cache[dirs] = FontSet(*faces, symbols=symbols)
        return _cache[dirs]


def _register(path: Path) -> Face:
    # One reportlab name per file, so DejaVu as both Latin and Arabic face is embedded once.
    name = f"MW-{path.stem}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    return Face(name, path)
