"""The audit log's read side: filtered, newest first, for admins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.admin.models import Account
from survey.core.audit import AuditEntry


@dataclass(frozen=True)
class Row:
    at: datetime
    actor: str
    action: str
    target: str
    detail: str


def entries(
    session: Session,
    action: str | None = None,
    actor: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 500,
) -> list[Row]:
    query = (
        select(AuditEntry, Account.email)
        .outerjoin(Account, AuditEntry.actor_id == Account.id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    if action:
        query = query.where(AuditEntry.action == action)
    if actor:
        query = query.where(Account.email.contains(actor.strip().lower()))
    if since:
        query = query.where(AuditEntry.at >= datetime.combine(since, time.min, UTC))
    if until:
        query = query.where(
            AuditEntry.at < datetime.combine(until + timedelta(days=1), time.min, UTC)
        )
    rows = []
    for entry, email in session.execute(query):
        at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
        rows.append(Row(at, email or "–", entry.action, entry.target, entry.detail))
    return rows
