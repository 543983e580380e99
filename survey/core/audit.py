"""The audit log's write side: who did what to which object, and when.

Every feature writes here (campaign and link changes, sign-ins, later every
download); the admin area reads it. An entry never mentions a respondent, and a
link token appears only as its first characters (``short_token``): the log must
not become a list of working links.

Staff actions carry a time to the second. That is allowed here and nowhere near
responses: no foreign key leads from a response to this table or back.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from survey.core.db import Base


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: UTC, to the second
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    #: the account that acted; None for a failed sign-in to an unknown address or the system
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    #: dotted verb, e.g. ``signin.failed``, ``link.regenerate`` (see ``ACTIONS``)
    action: Mapped[str] = mapped_column(String(40), index=True)
    #: what was acted on, in words: "Kampagne demo", "Link ab3k…", "Konto a@b.de"
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(String(500), default="")


ACTIONS = (
    "signin",
    "signin.failed",
    "signin.locked",
    "signout",
    "password.change",
    "account.create",
    "account.role",
    "account.disable",
    "account.enable",
    "account.reset",
    "places.import",
    "places.edit",
    "campaign.create",
    "campaign.edit",
    "campaign.open",
    "campaign.close",
    "campaign.reopen",
    "expected.set",
    "link.create",
    "link.revoke",
    "link.regenerate",
    "codes.on",
    "codes.off",
    "codes.issue",
    "codes.revoke",
    "download",
)


def short_token(token: str) -> str:
    """Enough of a token to tell links apart in the log, far too little to open one."""
    return token[:4] + "…"


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def record(
    session: Session,
    actor_id: int | None,
    action: str,
    target: str = "",
    detail: str = "",
    at: datetime | None = None,
) -> AuditEntry:
    """Add an entry to the caller's transaction: it commits with the change it records."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(
        at=at or now(), actor_id=actor_id, action=action, target=target[:200], detail=detail[:500]
    )
    session.add(entry)
    return entry
