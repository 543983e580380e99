"""Looking into PDFs as a reader would: poppler's pdffonts, pdftotext and pdftoppm, zbarimg.

The tools come from Debian (poppler-utils, zbar-tools; .ci/apt-packages). Without them a
developer's run skips these checks; CI (CI set) fails instead, so they always run there.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

TOOLS = {
    "pdffonts": "poppler-utils",
    "pdftotext": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "zbarimg": "zbar-tools",
}


def need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        message = f"{tool} is missing: apt-get install {TOOLS[tool]}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def fonts(pdf: Path) -> list[dict[str, str]]:
    """One row per font: name, type, emb (yes/no)."""
    out = subprocess.run([need("pdffonts"), str(pdf)], capture_output=True, text=True, check=True)
    rows = []
    for line in out.stdout.splitlines()[2:]:
        parts = line.split()
        # name, type (one or two words), encoding, emb, sub, uni, object, id
        rows.append({"name": parts[0], "emb": parts[-5], "uni": parts[-3]})
    return rows


def assert_fonts_embedded(pdf: Path) -> None:
    rows = fonts(pdf)
    assert rows, f"{pdf.name} uses no font"
    bare = [r["name"] for r in rows if r["emb"] != "yes"]
    assert bare == [], f"{pdf.name}: fonts not embedded: {bare}"


def text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    """The text as pdftotext reads it, with Arabic presentation forms folded (NFKC) and
    the direction marks poppler adds removed: what a search or a screen reader finds."""
    args = [need("pdftotext"), "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    out = subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True)
    folded = unicodedata.normalize("NFKC", out.stdout)
    return re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", folded)


def pages(pdf: Path, out_dir: Path, dpi: int = 150) -> list[Path]:
    subprocess.run(
        [need("pdftoppm"), "-r", str(dpi), "-png", str(pdf), str(out_dir / pdf.stem)], check=True
    )
    return sorted(out_dir.glob(pdf.stem + "*.png"))


def qr_codes(png: Path) -> list[str]:
    out = subprocess.run(
        [need("zbarimg"), "-q", "--raw", str(png)], capture_output=True, text=True, check=False
    )
    return [line for line in out.stdout.splitlines() if line]


def page_count(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
