"""Links and QR codes: one live link per campaign, school and audience.

A token is 12 characters from an alphabet without look-alikes (about 59 random
bits). Revoking marks it dead (it then answers 404); regenerating revokes the old
one and makes a new one. Drafts begun on a revoked link may still be finished
(the respond flow allows that), so nobody loses answers already typed.
"""

from __future__ import annotations

import io
import re
from urllib.parse import urlencode, urlsplit

import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.core import audit
from survey.distribution.models import Campaign, Link, School
from survey.distribution.services import TOKEN_ALPHABET, new_token

_CODE = re.compile(r"[^a-z0-9]")


def live_links(session: Session, campaign: Campaign, school: School) -> dict[str, Link]:
    return {
        link.audience: link
        for link in session.scalars(
            select(Link).where(
                Link.campaign_id == campaign.id,
                Link.school_id == school.id,
                Link.revoked.is_(False),
            )
        )
    }


def ensure_links(
    session: Session, actor_id: int | None, campaign: Campaign, school: School
) -> dict[str, Link]:
    """The live link of every audience the campaign asks; missing ones are made."""
    links = live_links(session, campaign, school)
    for q in campaign.questionnaires:
        if q.audience not in links:
            links[q.audience] = _make(
                session, actor_id, campaign, school, q.audience, "link.create"
            )
    session.flush()
    return {a: links[a] for a in sorted(links, key=_audience_order) if a in links}


def _audience_order(audience: str) -> int:
    from survey.distribution.models import AUDIENCES

    return AUDIENCES.index(audience) if audience in AUDIENCES else len(AUDIENCES)


def _make(
    session: Session,
    actor_id: int | None,
    campaign: Campaign,
    school: School,
    audience: str,
    action: str,
) -> Link:
    token = new_token()
    while session.get(Link, token) is not None:  # 59 bits: practically never
        token = new_token()
    link = Link(token=token, campaign_id=campaign.id, school_id=school.id, audience=audience)
    session.add(link)
    audit.record(
        session,
        actor_id,
        action,
        f"Link {audit.short_token(token)}",
        f"Kampagne {campaign.slug}, Schule {school.number}, {audience}",
    )
    return link


def revoke(session: Session, actor_id: int | None, link: Link) -> None:
    link.revoked = True
    audit.record(
        session,
        actor_id,
        "link.revoke",
        f"Link {audit.short_token(link.token)}",
        f"Schule {link.school.number}, {link.audience}",
    )
    session.flush()


def regenerate(
    session: Session, actor_id: int | None, campaign: Campaign, school: School, audience: str
) -> Link:
    old = live_links(session, campaign, school).get(audience)
    if old is not None:
        old.revoked = True
        session.flush()
    link = _make(session, actor_id, campaign, school, audience, "link.regenerate")
    session.flush()
    return link


def full_url(base_url: str, token: str, language: str | None = None) -> str:
    url = f"{base_url.rstrip('/')}/s/{token}"
    return url + ("?" + urlencode({"lang": language}) if language else "")


def short_code(token: str) -> str:
    """The token in groups of four, easy to read aloud and type: ``abcd-efgh-jkmn``."""
    return "-".join(token[i : i + 4] for i in range(0, len(token), 4))


def short_url(base_url: str, token: str) -> str:
    """Host and code without the scheme, for paper: ``umfrage.example.de/k/abcd-efgh-jkmn``."""
    parts = urlsplit(base_url.rstrip("/"))
    return f"{parts.netloc}{parts.path}/k/{short_code(token)}"


def token_from_code(code: str) -> str | None:
    """What someone typed from paper back to a token: case, spaces and dashes do not matter."""
    cleaned = _CODE.sub("", code.lower())
    if not 1 <= len(cleaned) <= 32 or any(c not in TOKEN_ALPHABET for c in cleaned):
        return None
    return cleaned


def qr_svg(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=6, border=4, xmldecl=False)
    return buffer.getvalue()


def qr_png(url: str, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
