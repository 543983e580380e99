"""One-time access codes, the staff side: switch on, issue batches, revoke, count.

Codes are printed when a batch is issued and never stored: the database keeps only their
keyed hashes (survey/core/access_codes.py), so neither a database dump nor a later
download hands out usable codes. The slip sheet made at issue time is the only copy;
a lost sheet is revoked (its batch) and a new batch issued. The web view and
``survey codes issue`` both print right away.

The respond flow checks and consumes codes (survey/respond/access.py); counting them
here needs no response: issued, used and revoked come from the code rows alone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from flask_babel import gettext as _
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from survey.core import access_codes, audit
from survey.core.errors import InvalidInput
from survey.distribution.models import (
    AUDIENCES,
    AccessCode,
    AccessCodeBatch,
    AccessCodeScope,
    AccessCodeState,
    Campaign,
    School,
)

#: The most codes one batch (one PDF, at 10 slips a page 200 pages) may hold.
MAX_BATCH = 2000


@dataclass
class Counts:
    """Codes of one school and audience (or a batch): issued includes used and revoked."""

    issued: int = 0
    used: int = 0
    revoked: int = 0
    required: bool = False

    @property
    def open(self) -> int:
        return self.issued - self.used - self.revoked


@dataclass(frozen=True)
class Issued:
    batch: AccessCodeBatch
    #: the codes in plain text: print them now, they are not kept anywhere
    codes: list[str] = field(repr=False)


def _where(campaign: Campaign, school: School, audience: str) -> str:
    return f"Kampagne {campaign.slug}, Schule {school.number}, {audience}"


def _check_audience(campaign: Campaign, audience: str) -> None:
    if audience not in AUDIENCES or campaign.questionnaire_for(audience) is None:
        raise InvalidInput(
            _("Diese Kampagne hat keinen Fragebogen für diese Zielgruppe."), "audience"
        )


def scope(session: Session, campaign: Campaign, school: School, audience: str):
    return session.get(AccessCodeScope, (campaign.id, school.id, audience))


def switch(
    session: Session,
    actor_id: int | None,
    campaign: Campaign,
    school: School,
    audience: str,
    on: bool,
) -> None:
    """Codes on (the link asks for one) or off (the link is open to everyone again)."""
    _check_audience(campaign, audience)
    found = scope(session, campaign, school, audience)
    if found is None:
        found = AccessCodeScope(
            campaign_id=campaign.id, school_id=school.id, audience=audience, required=on
        )
        session.add(found)
    elif found.required == on:
        return
    found.required = on
    audit.record(
        session,
        actor_id,
        "codes.on" if on else "codes.off",
        "Zugangscodes",
        _where(campaign, school, audience),
    )
    session.flush()


def issue(
    session: Session,
    actor_id: int | None,
    campaign: Campaign,
    school: School,
    audience: str,
    count: int,
    secret: str,
    today: date,
) -> Issued:
    """A new batch of ``count`` codes; returns them in plain text, once."""
    _check_audience(campaign, audience)
    if not isinstance(count, int) or not 1 <= count <= MAX_BATCH:
        raise InvalidInput(
            _("Bitte geben Sie eine Anzahl von 1 bis %(max)d an.", max=MAX_BATCH), "count"
        )
    if school not in campaign.schools:
        raise InvalidInput(_("Diese Schule nimmt an der Kampagne nicht teil."), "school")
    codes: dict[str, str] = {}
    while len(codes) < count:
        want = count - len(codes)
        fresh = {}
        for _i in range(want):
            code = access_codes.new_code()
            fresh[access_codes.code_hash(secret, campaign.id, school.id, audience, code)] = code
        fresh = {h: c for h, c in fresh.items() if h not in codes}
        # 36 bits: a clash with an earlier batch is next to impossible, but cheap to rule out.
        taken = set(
            session.scalars(select(AccessCode.code_hash).where(AccessCode.code_hash.in_(fresh)))
        )
        codes.update({h: c for h, c in fresh.items() if h not in taken})
    batch = AccessCodeBatch(
        campaign_id=campaign.id,
        school_id=school.id,
        audience=audience,
        size=count,
        issued_on=today,
        revoked=False,
    )
    session.add(batch)
    session.flush()
    session.execute(
        AccessCode.__table__.insert(),
        [{"code_hash": h, "batch_id": batch.id, "state": AccessCodeState.OPEN} for h in codes],
    )
    audit.record(
        session,
        actor_id,
        "codes.issue",
        f"Zugangscodes, Stapel {batch.id}",
        f"{count} Codes, Zettel heruntergeladen; {_where(campaign, school, audience)}",
    )
    session.flush()
    return Issued(batch, sorted(codes.values()))


def revoke_batch(session: Session, actor_id: int | None, batch: AccessCodeBatch) -> int:
    """Every code of the batch not used yet stops working; returns how many."""
    result = cast(
        CursorResult,
        session.execute(
            update(AccessCode)
            .where(AccessCode.batch_id == batch.id, AccessCode.state == AccessCodeState.OPEN)
            .values(state=AccessCodeState.REVOKED)
        ),
    )
    batch.revoked = True
    audit.record(
        session,
        actor_id,
        "codes.revoke",
        f"Zugangscodes, Stapel {batch.id}",
        f"{result.rowcount} Codes widerrufen",
    )
    session.flush()
    return result.rowcount


def revoke_code(
    session: Session,
    actor_id: int | None,
    campaign: Campaign,
    school: School,
    audience: str,
    typed: str,
    secret: str,
) -> None:
    """One code stops working (a slip was lost or went to the wrong person)."""
    _check_audience(campaign, audience)
    code = access_codes.normalize(typed)
    if code is None:
        raise InvalidInput(_("Das ist kein gültiger Code (8 Zeichen)."), "code")
    code_hash = access_codes.code_hash(secret, campaign.id, school.id, audience, code)
    result = cast(
        CursorResult,
        session.execute(
            update(AccessCode)
            .where(AccessCode.code_hash == code_hash, AccessCode.state == AccessCodeState.OPEN)
            .values(state=AccessCodeState.REVOKED)
        ),
    )
    if result.rowcount != 1:
        row = session.get(AccessCode, code_hash)
        if row is None:
            raise InvalidInput(
                _("Diesen Code gibt es für diese Schule und Zielgruppe nicht."), "code"
            )
        if row.state == AccessCodeState.USED:
            raise InvalidInput(_("Dieser Code wurde schon benutzt."), "code")
        raise InvalidInput(_("Dieser Code ist schon widerrufen."), "code")
    # The log names the batch, never the code.
    batch_id = session.scalar(select(AccessCode.batch_id).where(AccessCode.code_hash == code_hash))
    audit.record(
        session,
        actor_id,
        "codes.revoke",
        f"Zugangscodes, Stapel {batch_id}",
        f"1 Code widerrufen; {_where(campaign, school, audience)}",
    )
    session.flush()


def batches(
    session: Session, campaign: Campaign, school: School, audience: str | None = None
) -> list[tuple[AccessCodeBatch, Counts]]:
    """The batches of a school (newest first), each with its counts."""
    query = select(AccessCodeBatch).where(
        AccessCodeBatch.campaign_id == campaign.id, AccessCodeBatch.school_id == school.id
    )
    if audience is not None:
        query = query.where(AccessCodeBatch.audience == audience)
    found = list(session.scalars(query.order_by(AccessCodeBatch.id.desc())))
    per_batch: dict[int, Counts] = defaultdict(Counts)
    if found:
        for batch_id, state, n in session.execute(
            select(AccessCode.batch_id, AccessCode.state, func.count())
            .where(AccessCode.batch_id.in_([b.id for b in found]))
            .group_by(AccessCode.batch_id, AccessCode.state)
        ):
            _add(per_batch[batch_id], state, n)
    return [(b, per_batch[b.id]) for b in found]


def _add(counts: Counts, state: str, n: int) -> None:
    counts.issued += n
    if state == AccessCodeState.USED:
        counts.used += n
    elif state == AccessCodeState.REVOKED:
        counts.revoked += n


def counts(session: Session, campaign_id: int, school_ids=None) -> dict[tuple[int, str], Counts]:
    """(school, audience) -> issued, used, revoked and whether codes are on; every place
    where codes are on or were ever issued (one GROUP BY, no code row leaves the database)."""
    result: dict[tuple[int, str], Counts] = defaultdict(Counts)
    query = (
        select(AccessCodeBatch.school_id, AccessCodeBatch.audience, AccessCode.state, func.count())
        .join(AccessCode, AccessCode.batch_id == AccessCodeBatch.id)
        .where(AccessCodeBatch.campaign_id == campaign_id)
        .group_by(AccessCodeBatch.school_id, AccessCodeBatch.audience, AccessCode.state)
    )
    scopes = select(AccessCodeScope).where(AccessCodeScope.campaign_id == campaign_id)
    if school_ids is not None:
        query = query.where(AccessCodeBatch.school_id.in_(school_ids))
        scopes = scopes.where(AccessCodeScope.school_id.in_(school_ids))
    for school_id, audience, state, n in session.execute(query):
        _add(result[(school_id, audience)], state, n)
    for found in session.scalars(scopes):
        if found.required or (found.school_id, found.audience) in result:
            result[(found.school_id, found.audience)].required = found.required
    return dict(result)


#: Languages a slip's instruction can be printed in: every language of the interface.
def slip_languages(wanted: list[str], available: list[str]) -> tuple[str, ...]:
    unknown = [language for language in wanted if language not in available]
    if unknown or not wanted:
        raise InvalidInput(
            _(
                "Unbekannte Sprache: %(lang)s (möglich: %(known)s)",
                lang=", ".join(unknown) or "–",
                known=", ".join(available),
            ),
            "languages",
        )
    if len(wanted) > 2:
        raise InvalidInput(_("Höchstens zwei Sprachen passen auf einen Zettel."), "languages")
    return tuple(wanted)


def print_batch(
    out,
    session: Session,
    actor_id: int | None,
    issued: Issued,
    campaign: Campaign,
    school: School,
    base_url: str,
    languages: tuple[str, ...],
) -> int:
    """Write the slip sheet of a batch just issued (the codes exist only in ``issued``)."""
    from survey.distribution import links as link_service
    from survey.paper.slips import SlipSheet, write_slips

    link = link_service.ensure_links(session, actor_id, campaign, school)[issued.batch.audience]
    sheet = SlipSheet(
        school=school.name,
        audience=issued.batch.audience,
        url=link_service.full_url(base_url, link.token),
        short_url=link_service.short_url(base_url, link.token),
        codes=issued.codes,
        languages=languages,
        batch_label=f"{school.number} · {issued.batch.audience} · {issued.batch.id}",
    )
    return write_slips(out, sheet)
