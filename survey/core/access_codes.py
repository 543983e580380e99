"""One-time access codes as people read, type and hash them.

Shared by the staff side that issues them (survey/distribution/codes.py) and the respond
flow that checks and consumes them (survey/respond/access.py), which may not import each
other's services.

A code is 8 characters from an alphabet without look-alikes (no 0/O/Q/D, 1/I/L, 2/Z,
5/S, 8/B, U/V), printed in two groups of four: ``K7MX-4RTP``. 21^8 ≈ 3.8 × 10^10 codes
(about 35 bits) against a rate-limited guesser: with 1,000 live codes for one link and
the 6,000 tries a day allowed per link, a lucky guess takes some 17 years on average.

The database holds only ``code_hash``: HMAC-SHA256 with the app's secret key over the
campaign, school, audience and code. A dump of the database without the secret key
gives no usable code (a plain hash of 36 bits could be reversed by trying them all),
and the same code printed for another school or audience is another hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

ALPHABET = "34679ACEFGHJKMNPRTWXY"
LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def printed(code: str) -> str:
    """As printed and read aloud: two groups of four."""
    return f"{code[:4]}-{code[4:]}"


def normalize(typed: str) -> str | None:
    """What someone typed back to a code, or None when it cannot be one.

    Case, spaces and dashes do not matter; digits from an Arabic or Persian keyboard
    (٣, ۴) count as the digits they are.
    """
    if not isinstance(typed, str) or len(typed) > 40:
        return None
    chars = []
    for char in unicodedata.normalize("NFKC", typed):
        if char.isspace() or char in "-‐‑–—_.":
            continue
        if char.isdigit():
            char = str(unicodedata.digit(char, -1))
        chars.append(char.upper())
    code = "".join(chars)
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def code_hash(
    secret: str | bytes, campaign_id: int, school_id: int, audience: str, code: str
) -> str:
    key = secret if isinstance(secret, bytes) else str(secret).encode()
    message = f"access-code\x00{campaign_id}\x00{school_id}\x00{audience}\x00{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
