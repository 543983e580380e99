"""Staff accounts. Nothing here is reachable from a response, and no sign-in
address (IP) is stored at all."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.db import Base
from survey.core.permissions import Role
from survey.distribution.models import School


class Account(Base):
    __tablename__ = "account"
    __table_args__ = (CheckConstraint("role IN ('admin', 'analyst', 'coordinator')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: lower-cased; the sign-in name
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: argon2id hash (argon2-cffi's PasswordHasher)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: set by an admin's reset: the next sign-in must choose a new password
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    #: failed sign-ins since the last good one; reaching the limit locks the account
    failed_signins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: part of the session id: raising it signs the account out everywhere
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_on: Mapped[date]
    schools: Mapped[list[School]] = relationship(secondary="account_school", order_by=School.number)

    # Flask-Login's user protocol, spelled out rather than inherited from UserMixin so
    # that a disabled account or an old session epoch is never mistaken for a user.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    @property
    def school_ids(self) -> frozenset[int]:
        return frozenset(s.id for s in self.schools)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class AccountSchool(Base):
    """A coordinator's schools."""

    __tablename__ = "account_school"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), primary_key=True)
