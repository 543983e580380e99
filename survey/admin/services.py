"""Accounts: create, change role, disable, enable, reset, sign in, change password.

Services take the session, the acting account's id and the time as arguments;
the web views and ``survey users`` call the same functions. They flush, and the
caller commits once, so a change and its audit entry stand or fall together.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.admin.models import Account
from survey.core import audit
from survey.core.errors import InvalidInput, SurveyError
from survey.core.permissions import Role
from survey.distribution.models import School

#: argon2id with argon2-cffi's defaults (64 MiB, 3 passes): memory-hard.
hasher = PasswordHasher()
#: Verified against when an address is unknown, so both cases take as long.
_DUMMY_HASH = hasher.hash("no account has this password")
MIN_PASSWORD_LENGTH = 10
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SignInFailed(SurveyError):
    """One message for a wrong password, an unknown address, a locked or disabled account."""

    status = 401


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str, email: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            _("Das Passwort braucht mindestens %(num)d Zeichen.", num=MIN_PASSWORD_LENGTH),
            "password",
        )
    if email and password.strip().lower() == normalise_email(email):
        raise InvalidInput(_("Das Passwort darf nicht die E-Mail-Adresse sein."), "password")


def find_account(session: Session, email: str) -> Account | None:
    return session.scalar(select(Account).where(Account.email == normalise_email(email)))


def get_account(session: Session, email: str) -> Account:
    account = find_account(session, email)
    if account is None:
        raise InvalidInput(_("Ein Konto mit dieser E-Mail-Adresse gibt es nicht."), "email")
    return account


def schools_by_number(session: Session, numbers: Iterable[str]) -> list[School]:
    wanted = [n.strip() for n in numbers if n.strip()]
    found = {s.number: s for s in session.scalars(select(School).where(School.number.in_(wanted)))}
    missing = [n for n in wanted if n not in found]
    if missing:
        raise InvalidInput(
            _("Diese Schulnummer gibt es nicht: %(numbers)s", numbers=", ".join(missing)), "schools"
        )
    return [found[n] for n in wanted]


def _check_role(role: str, schools: Sequence[School]) -> Role:
    try:
        checked = Role(role)
    except ValueError:
        raise InvalidInput(_("Diese Rolle gibt es nicht."), "role") from None
    if checked == Role.COORDINATOR and not schools:
        raise InvalidInput(
            _("Eine Koordinatorin oder ein Koordinator braucht mindestens eine Schule."), "schools"
        )
    return checked


def create_account(
    session: Session,
    actor_id: int | None,
    email: str,
    role: str,
    password: str,
    schools: Sequence[School] = (),
    today: date | None = None,
    must_change_password: bool = False,
) -> Account:
    email = normalise_email(email)
    if not EMAIL.match(email) or len(email) > 254:
        raise InvalidInput(_("Bitte geben Sie eine gültige E-Mail-Adresse ein."), "email")
    if find_account(session, email) is not None:
        raise InvalidInput(_("Ein Konto mit dieser E-Mail-Adresse gibt es schon."), "email")
    checked = _check_role(role, schools)
    check_password_rules(password, email)
    account = Account(
        email=email,
        password_hash=hasher.hash(password),
        role=checked.value,
        active=True,
        must_change_password=must_change_password,
        failed_signins=0,
        session_epoch=0,
        created_on=today or date.today(),
        schools=list(schools) if checked == Role.COORDINATOR else [],
    )
    session.add(account)
    session.flush()
    audit.record(session, actor_id, "account.create", f"Konto {email}", f"Rolle {checked.value}")
    return account


def _last_admin(session: Session, account: Account) -> bool:
    """True if ``account`` is the only active admin: taking it away locks everyone out."""
    others = session.scalar(
        select(func.count())
        .select_from(Account)
        .where(Account.role == Role.ADMIN, Account.active.is_(True), Account.id != account.id)
    )
    return account.role == Role.ADMIN and account.active and not others


def set_role(
    session: Session, actor_id: int | None, account: Account, role: str, schools: Sequence[School]
) -> None:
    checked = _check_role(role, schools)
    if checked != Role.ADMIN and _last_admin(session, account):
        raise InvalidInput(_("Das ist das letzte aktive Admin-Konto; es bleibt Admin."), "role")
    account.role = checked.value
    account.schools = list(schools) if checked == Role.COORDINATOR else []
    account.session_epoch += 1  # a changed role applies at once: sign in again
    numbers = ", ".join(s.number for s in account.schools)
    audit.record(
        session,
        actor_id,
        "account.role",
        f"Konto {account.email}",
        f"Rolle {checked.value}" + (f", Schulen {numbers}" if numbers else ""),
    )
    session.flush()


def set_active(session: Session, actor_id: int | None, account: Account, active: bool) -> None:
    if actor_id == account.id and not active:
        raise InvalidInput(_("Sie können Ihr eigenes Konto nicht sperren."))
    if not active and _last_admin(session, account):
        raise InvalidInput(_("Das ist das letzte aktive Admin-Konto; es bleibt Admin."))
    account.active = active
    if active:
        account.failed_signins, account.locked_until = 0, None
    else:
        account.session_epoch += 1  # signs the account out everywhere
    action = "account.enable" if active else "account.disable"
    audit.record(session, actor_id, action, f"Konto {account.email}")
    session.flush()


def reset_password(session: Session, actor_id: int | None, account: Account) -> str:
    """A one-time password for the admin to pass on; the user must choose a new one."""
    temporary = "-".join(secrets.token_hex(3) for _ in range(3))
    account.password_hash = hasher.hash(temporary)
    account.must_change_password = True
    account.failed_signins, account.locked_until = 0, None
    account.session_epoch += 1
    audit.record(session, actor_id, "account.reset", f"Konto {account.email}")
    session.flush()
    return temporary


def change_password(session: Session, account: Account, current: str, new: str) -> None:
    if not _verify(account.password_hash, current):
        raise InvalidInput(_("Das bisherige Passwort stimmt nicht."), "current")
    check_password_rules(new, account.email)
    if new == current:
        raise InvalidInput(_("Bitte wählen Sie ein neues Passwort."), "password")
    account.password_hash = hasher.hash(new)
    account.must_change_password = False
    account.session_epoch += 1  # other sessions end; the caller signs this one in again
    audit.record(session, account.id, "password.change", f"Konto {account.email}")
    session.flush()


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes even for timezone-aware columns; we store UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def authenticate(
    session: Session,
    email: str,
    password: str,
    now: datetime,
    lock_after: int,
    lock_minutes: int,
) -> Account:
    """The account for these credentials, or ``SignInFailed`` with one message for all
    reasons. Failures are counted and audited; the caller commits either way."""
    account = find_account(session, email) if len(email) <= 254 else None
    if account is None:
        _verify(_DUMMY_HASH, password)  # same time as for a known address
        audit.record(session, None, "signin.failed", "unbekanntes Konto", at=now)
        raise SignInFailed()
    locked_until = _aware(account.locked_until)
    if locked_until is not None and locked_until > now:
        audit.record(session, account.id, "signin.locked", f"Konto {account.email}", at=now)
        raise SignInFailed()
    if not _verify(account.password_hash, password) or not account.active:
        account.failed_signins += 1
        detail = ""
        if account.failed_signins >= lock_after:
            account.locked_until = now + timedelta(minutes=lock_minutes)
            account.failed_signins = 0
            detail = f"gesperrt für {lock_minutes} Minuten"
        audit.record(session, account.id, "signin.failed", f"Konto {account.email}", detail, now)
        raise SignInFailed()
    account.failed_signins, account.locked_until = 0, None
    if hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hasher.hash(password)
    audit.record(session, account.id, "signin", f"Konto {account.email}", at=now)
    return account


def load_account(session: Session, session_id: str) -> Account | None:
    """The account behind Flask-Login's id ``"<id>:<epoch>"``; None if outdated or disabled."""
    account_id, _sep, epoch = session_id.partition(":")
    if not (account_id.isdigit() and epoch.isdigit()):
        return None
    account = session.get(Account, int(account_id))
    if account is None or not account.active or account.session_epoch != int(epoch):
        return None
    return account


def list_accounts(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.role, Account.email)))


def count_accounts(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Account)) or 0


DEMO_PASSWORD_BYTES = 9


def ensure_demo_accounts(
    session: Session, schools: Sequence[School], today: date
) -> list[tuple[str, str, str]]:
    """One demo account per role (the coordinator gets the first demo school); each run
    gives them fresh random passwords. Returns (role, email, password)."""
    made = []
    for role, email, own in (
        (Role.ADMIN, "admin@demo.invalid", []),
        (Role.ANALYST, "analyse@demo.invalid", []),
        (Role.COORDINATOR, "schule@demo.invalid", list(schools[:1])),
    ):
        password = secrets.token_urlsafe(DEMO_PASSWORD_BYTES)
        account = find_account(session, email)
        if account is None:
            account = create_account(session, None, email, role, password, own, today)
        else:
            account.password_hash = hasher.hash(password)
            account.role, account.schools, account.active = role.value, own, True
            account.must_change_password, account.failed_signins = False, 0
            account.locked_until = None
            account.session_epoch += 1
        made.append((role.value, email, password))
    session.flush()
    return made
