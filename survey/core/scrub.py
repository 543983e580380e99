"""Contact details out of free text: applied when an answer is stored, and again when a
report lists it (a rule made stricter later then also covers older answers).

A topical ``core`` module because two features that must not import each other use it:
the respond flow (storage) and the documents (the free-text listing).
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w])(?:\+|00)?\d(?:[\s/().-]{0,2}\d){5,}(?![\w])")
REDACTED = "[entfernt]"


def scrub(text: str) -> str:
    """Remove e-mail addresses and phone numbers (six or more digits in a row, spaced or not)."""
    return _PHONE.sub(REDACTED, _EMAIL.sub(REDACTED, text))
