"""One-time access codes in the respond flow: checked when typed, consumed when stored.

Where an analyst switched codes on for a link's campaign, school and audience, the link
asks for a code before the intro (``check``: known, unused, not revoked). The code is
*consumed* only by ``consume``, which ``services.submit`` calls inside the transaction
that stores the response: a conditional UPDATE (``state = 'open'`` -> ``'used'``) whose
row count says whether this request got the code. Under concurrent submits with one code
exactly one UPDATE matches (PostgreSQL re-checks the condition after the row lock; SQLite
writes one transaction at a time); every other one raises ``CodeUsed`` and its
transaction, response and all, rolls back.

The respondent's session keeps the code's keyed hash (never the code) between the two.
Nothing in the response refers to the code, and the code row gets no date of use.
"""

from __future__ import annotations

from typing import cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from survey.core import access_codes
from survey.core.errors import SurveyError
from survey.distribution.models import AccessCode, AccessCodeScope, AccessCodeState, Link


class CodeRefused(SurveyError):
    """A code that does not let anyone answer; ``kind`` names why (for the page)."""

    status = 422
    kind = "unknown"


class CodeUnknown(CodeRefused):
    kind = "unknown"
    title = _l("Diesen Code kennen wir nicht")
    message = _l(
        "Bitte prüfen Sie den Code auf Ihrem Zettel und geben Sie ihn noch einmal ein. "
        "Groß- und Kleinschreibung und Bindestriche sind egal."
    )


class CodeUsed(CodeRefused):
    kind = "used"
    title = _l("Dieser Code wurde schon benutzt")
    message = _l(
        "Jeder Code gilt nur für eine Antwort. Wenn Sie noch nicht geantwortet haben, "
        "bitten Sie die Schule um einen neuen Code."
    )


class CodeRevoked(CodeRefused):
    kind = "revoked"
    title = _l("Dieser Code gilt nicht mehr")
    message = _l("Die Schule hat ihn zurückgezogen. Bitte bitten Sie dort um einen neuen Code.")


class CodeNeeded(CodeRefused):
    kind = "needed"
    title = _l("Für diese Befragung brauchen Sie einen Code")
    message = _l("Bitte geben Sie den Code von Ihrem Zettel ein.")


REFUSALS: dict[str, type[CodeRefused]] = {
    c.kind: c for c in (CodeUnknown, CodeUsed, CodeRevoked, CodeNeeded)
}


def required(session: Session, link: Link) -> bool:
    """Whether answers through this link need a code (one primary-key read)."""
    scope = session.get(AccessCodeScope, (link.campaign_id, link.school_id, link.audience))
    return scope is not None and scope.required


def _hash(link: Link, code: str, secret: str) -> str:
    return access_codes.code_hash(secret, link.campaign_id, link.school_id, link.audience, code)


def _refusal(session: Session, code_hash: str) -> CodeRefused:
    row = session.get(AccessCode, code_hash, populate_existing=True)
    if row is None:
        return CodeUnknown()
    if row.state == AccessCodeState.USED:
        return CodeUsed()
    if row.state == AccessCodeState.REVOKED:
        return CodeRevoked()
    return CodeUnknown()


def check(session: Session, link: Link, typed: str, secret: str) -> str:
    """The keyed hash of a typed code that may still be used for this link (else a
    CodeRefused). Nothing is written: the code is consumed only with the response."""
    code = access_codes.normalize(typed)
    if code is None:
        raise CodeUnknown()
    code_hash = _hash(link, code, secret)
    row = session.get(AccessCode, code_hash)
    if row is None or row.state != AccessCodeState.OPEN:
        raise _refusal(session, code_hash)
    return code_hash


def consume(session: Session, link: Link, held: str | None) -> None:
    """Use the code ``held`` (its hash) in the caller's transaction, or raise.

    Called by ``services.submit`` after the draft is deleted and before the response is
    inserted; a refusal rolls all of it back. Where codes are not (or no longer)
    required, nothing happens.
    """
    if not required(session, link):
        return
    if not held:
        raise CodeNeeded()
    result = cast(
        CursorResult,
        session.execute(
            update(AccessCode)
            .where(AccessCode.code_hash == held, AccessCode.state == AccessCodeState.OPEN)
            .values(state=AccessCodeState.USED)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        raise _refusal(session, held)


def reseal(session: Session) -> int:
    """Rewrite every used code row in one transaction (``survey purge``, daily).

    On PostgreSQL a row carries ``xmin``, the id of the transaction that last wrote it: a
    code used by a submit has the same ``xmin`` as the response that submit stored, which
    someone reading the tables could pair up (and so tell which batch a response came
    from). After this, all used codes carry the ``xmin`` of this one transaction. Harmless
    on SQLite, which keeps no such column. Returns the number of rows rewritten.
    """
    result = cast(
        CursorResult,
        session.execute(
            update(AccessCode)
            .where(AccessCode.state == AccessCodeState.USED)
            .values(state=AccessCodeState.USED)
            .execution_options(synchronize_session=False)
        ),
    )
    session.commit()
    return result.rowcount or 0
