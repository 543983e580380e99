"""Contact details out of free text: the respond flow scrubs before storing; the analysts'
export and the free-text listing of the reports (survey.documents) scrub again before a
text leaves the system (a rule may have grown since the answer was stored)."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w])(?:\+|00)?\d(?:[\s/().-]{0,2}\d){5,}(?![\w])")
REDACTED = "[entfernt]"


def scrub(text: str) -> str:
    """Remove e-mail addresses and phone numbers (six or more digits in a row, spaced or not)."""
    return _PHONE.sub(REDACTED, _EMAIL.sub(REDACTED, text))
