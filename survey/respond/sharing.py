"""Shared devices: a started questionnaire belongs to the person who started it.

Children answer on class tablets one after another, and a draft lives behind the
session cookie: without a rule, the next child who opens the link would pick up
the last child's answers. For audiences on shared devices, a draft is therefore
never resumed without the person at the device saying it is theirs, any way
back into the questionnaire (the link again, an old address in the history)
leads to that choice, and the end of the questionnaire clears the device.

Families, staff and partners answer on their own phones and computers: their
draft resumes on that device (the intro's promise), and the intro offers to
start afresh, which deletes it, for a second person on a family phone.
"""

from __future__ import annotations

#: Audiences that answer on devices shared with others of the same audience.
SHARED_DEVICE_AUDIENCES = frozenset({"children"})


def asks_before_resuming(audience: str) -> bool:
    """Whether a started draft may be resumed only after "I am the one who started"."""
    return audience in SHARED_DEVICE_AUDIENCES
