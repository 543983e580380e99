"""Who may see and do what: the one place that decides.

Every staff view declares the action it needs (``@requires(Action.X)``); a
``before_request`` hook refuses anonymous users and roles without that action,
and the view asks ``require(user, action, obj)`` again for the object it found.
List queries are narrowed with ``school_scope(user)``.

A coordinator asking for another school's anything gets 404, never 403: whether
a school (or its campaign, link, figures) exists is itself not disclosed.

This module imports no feature: users and objects are duck-typed (a user has
``role`` and ``school_ids``; an object tells which schools own it).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from werkzeug.exceptions import Forbidden, NotFound


class Role(StrEnum):
    ADMIN = "admin"
    ANALYST = "analyst"
    COORDINATOR = "coordinator"


class Action(StrEnum):
    #: start page, own password: every signed-in user
    SIGNED_IN = "signed_in"
    VIEW_PLACES = "view_places"
    EDIT_PLACES = "edit_places"
    VIEW_CAMPAIGN = "view_campaign"
    EDIT_CAMPAIGN = "edit_campaign"
    REOPEN_CAMPAIGN = "reopen_campaign"
    VIEW_LINKS = "view_links"
    MANAGE_LINKS = "manage_links"
    SET_EXPECTED = "set_expected"
    #: one-time access codes: switch on/off, issue and print slips, revoke (issue 14)
    MANAGE_CODES = "manage_codes"
    VIEW_DASHBOARD = "view_dashboard"
    MANAGE_ACCOUNTS = "manage_accounts"
    VIEW_AUDIT = "view_audit"
    #: the report downloads page and a school's report (coordinators: their schools, once
    #: the campaign is closed)
    VIEW_REPORTS = "view_reports"
    #: reports of districts and the municipality, previews of an open campaign
    VIEW_ALL_REPORTS = "view_all_reports"
    #: the anonymised response data (DESIGN.md: analysts and admins only)
    EXPORT_DATA = "export_data"
    #: reports to read of districts and the municipality, previews of open campaigns, and
    #: the analysts' version with free-text answers (survey/documents)
    VIEW_ANY_REPORT = "view_any_report"


#: Public views (sign-in, respondents' pages) carry this instead of an action.
PUBLIC = "public"
#: Blueprints whose every view is public by design (the respondent's flow and its
#: access-code page: the unguessable token is the only key).
PUBLIC_BLUEPRINTS = frozenset({"respond", "access"})
PUBLIC_ENDPOINTS = frozenset({"static"})

_ALL = frozenset(Role)
_STAFF = frozenset({Role.ADMIN, Role.ANALYST})
#: Which roles may take each action at all. Coordinators are further limited to
#: their own schools by ``in_scope``.
RULES: dict[Action, frozenset[Role]] = {
    Action.SIGNED_IN: _ALL,
    Action.VIEW_PLACES: _ALL,
    Action.EDIT_PLACES: _STAFF,
    Action.VIEW_CAMPAIGN: _ALL,
    Action.EDIT_CAMPAIGN: _STAFF,
    Action.REOPEN_CAMPAIGN: frozenset({Role.ADMIN}),
    Action.VIEW_LINKS: _ALL,
    Action.MANAGE_LINKS: _ALL,
    Action.SET_EXPECTED: _ALL,
    # How many codes a school gets decides how many answers it can have: the project's
    # analysts decide that, not the school. Coordinators see issued and used on the dashboard.
    Action.MANAGE_CODES: _STAFF,
    Action.VIEW_DASHBOARD: _ALL,
    Action.MANAGE_ACCOUNTS: frozenset({Role.ADMIN}),
    Action.VIEW_AUDIT: frozenset({Role.ADMIN}),
    Action.VIEW_REPORTS: _ALL,
    Action.VIEW_ALL_REPORTS: _STAFF,
    Action.EXPORT_DATA: _STAFF,
    Action.VIEW_ANY_REPORT: _STAFF,
}


class User(Protocol):
    role: str

    @property
    def school_ids(self) -> frozenset[int]: ...


class Owned(Protocol):
    def owning_school_ids(self) -> frozenset[int]: ...


def school_scope(user: User) -> frozenset[int] | None:
    """The schools a user may see: None means all of them."""
    if user.role == Role.COORDINATOR:
        return user.school_ids
    return None


def in_scope(user: User, obj: Owned | None) -> bool:
    scope = school_scope(user)
    if scope is None or obj is None:
        return True
    return bool(obj.owning_school_ids() & scope)


def role_may(user: User | None, action: Action) -> bool:
    return user is not None and Role(user.role) in RULES[action]


def can(user: User | None, action: Action, obj: Owned | None = None) -> bool:
    return role_may(user, action) and in_scope(user, obj)  # type: ignore[arg-type]


def require(user: User, action: Action, obj: Owned | None = None) -> None:
    """Raise 404 for an object outside the user's schools, 403 for a missing right."""
    if obj is not None and not in_scope(user, obj):
        raise NotFound()
    if not role_may(user, action):
        raise Forbidden()


F = TypeVar("F", bound=Callable[..., Any])


def requires(action: Action | str) -> Callable[[F], F]:
    """Declare what a view needs; ``permission_of`` reads it back for the hook and tests."""

    def mark(view: F) -> F:
        view.permission = action  # type: ignore[attr-defined]
        return view

    return mark


def public(view: F) -> F:
    return requires(PUBLIC)(view)


def permission_of(endpoint: str, view: Callable[..., Any] | None) -> Action | str | None:
    blueprint = endpoint.rpartition(".")[0]
    if endpoint in PUBLIC_ENDPOINTS or blueprint in PUBLIC_BLUEPRINTS:
        return PUBLIC
    return getattr(view, "permission", None)
