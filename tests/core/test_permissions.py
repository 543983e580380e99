"""Every route, as every role: generated from the URL map, so a new route without a
permission rule (or with a wrong one) fails here."""

from __future__ import annotations

import pytest
from conftest import TODAY
from sqlalchemy import select
from staff import csrf_of, signed_in

from survey.core.permissions import PUBLIC, RULES, Action, Role, can, permission_of, school_scope
from survey.core.web import KeyConverter
from survey.distribution.models import Link
from survey.extensions import db

ROLES = ("anonymous", "coordinator_a", "coordinator_b", "analyst", "admin")
EMAILS = {
    "coordinator_a": "a@test.invalid",
    "coordinator_b": "b@test.invalid",
    "analyst": "analyse@test.invalid",
    "admin": "admin@test.invalid",
}
ROLE_OF = {
    "coordinator_a": Role.COORDINATOR,
    "coordinator_b": Role.COORDINATOR,
    "analyst": Role.ANALYST,
    "admin": Role.ADMIN,
}
#: URL arguments that name an object of school A (coordinator B must get 404 for them)
OBJECT_ARGS = {"campaign_id", "school_id"}
#: Figures of an open campaign are not for coordinators yet (the world's campaign A is
#: open): 409 with a page that says so, also for their own school; analysts get a preview.
FIGURES_OF_ANSWERS = {"reports.school_report"}


def _url_args(app, world) -> dict:
    with app.app_context():
        from survey.distribution import links
        from survey.distribution.models import Campaign, School

        campaign = db.session.get(Campaign, world.campaign_a)
        school = db.session.get(School, world.school_a)
        live = links.ensure_links(db.session, None, campaign, school)
        from staff import make_account

        spare = make_account("spare@test.invalid", "analyst").id  # admins change this one
        from survey.distribution import codes

        batch = codes.issue(db.session, None, campaign, school, "families", 3, "k", TODAY).batch
        db.session.commit()
        token = live["families"].token
    return {
        "campaign_id": world.campaign_a,
        "school_id": world.school_a,
        "audience": "families",
        "language": "de",
        "account_id": spare,
        "token": token,
        "code": token,
        "number": 1,
        "filename": "survey.css",
        "batch_id": batch.id,
        "fmt": "csv",
        "district_id": school.district_id,
        # a report: school A's, of campaign "nur-a" (still open)
        "level": "school",
        "unit": "100001",
    }


def _routes(app):
    for rule in app.url_map.iter_rules():
        yield rule, permission_of(rule.endpoint, app.view_functions.get(rule.endpoint))


def test_every_route_declares_a_permission(app):
    missing = [rule.rule for rule, needed in _routes(app) if needed is None]
    assert missing == [], f"routes without a permission rule: {missing}"
    assert all(needed == PUBLIC or needed in RULES for _rule, needed in _routes(app))


def test_a_route_without_a_rule_is_refused(app):
    @app.get("/ohne-regel")
    def unruled():
        return "should never be served"

    assert app.test_client().get("/ohne-regel").status_code == 404


def _expected(role: str, needed, rule) -> set[int]:
    if needed == PUBLIC:
        return set()
    if role == "anonymous":
        return {302}
    if ROLE_OF[role] not in RULES[Action(needed)]:
        return {403}
    if role == "coordinator_b" and OBJECT_ARGS & set(rule.arguments):
        return {404}
    if role == "coordinator_a" and rule.endpoint in FIGURES_OF_ANSWERS | {"documents.report"}:
        return {409}  # the campaign is still open: its report comes when it is closed
    return {200}


def test_role_route_matrix(app, world):
    args = _url_args(app, world)
    clients = {"anonymous": (app.test_client(), None)}
    for role, email in EMAILS.items():
        clients[role] = signed_in(app, email)
    anonymous = clients["anonymous"][0]
    clients["anonymous"] = (anonymous, csrf_of(anonymous))
    checked = 0
    failures = []
    rules = sorted(_routes(app), key=lambda item: item[0].rule)
    for method in ("GET", "POST"):
        for rule, needed in rules:
            if method not in rule.methods or needed == PUBLIC:
                continue
            url = rule.build({k: args[k] for k in rule.arguments}, append_unknown=False)[1]
            for role in ROLES:
                client, token = clients[role]
                if method == "GET":
                    r = client.get(url)
                else:
                    r = client.post(url, data={"csrf_token": token})
                r.close()  # as a server does: a download's file is closed then
                expected = _expected(role, needed, rule)
                allowed_post = method == "POST" and expected == {200}
                if allowed_post:
                    ok = r.status_code not in (403, 404) and r.status_code < 500
                else:
                    ok = r.status_code in expected
                if role == "anonymous" and r.status_code == 302:
                    ok = ok and "/anmelden" in r.location
                if not ok:
                    failures.append((method, rule.rule, role, r.status_code, expected))
                checked += 1
    assert failures == [], "\n".join(map(str, failures))
    assert checked > 100


def test_public_routes_answer_without_an_account(app, world):
    client = app.test_client()
    assert client.get("/").status_code == 302
    assert client.get("/anmelden").status_code == 200


class FakeUser:
    def __init__(self, role, schools=()):
        self.role = role
        self.school_ids = frozenset(schools)


class Owned:
    def __init__(self, *schools):
        self.schools = frozenset(schools)

    def owning_school_ids(self):
        return self.schools


def test_can_limits_coordinators_to_their_schools():
    coordinator = FakeUser("coordinator", [1])
    assert can(coordinator, Action.VIEW_LINKS, Owned(1))
    assert not can(coordinator, Action.VIEW_LINKS, Owned(2))
    assert can(coordinator, Action.VIEW_CAMPAIGN, Owned(1, 2))  # a campaign of both
    assert not can(coordinator, Action.EDIT_CAMPAIGN, Owned(1))
    assert not can(coordinator, Action.MANAGE_ACCOUNTS)
    # Codes decide how many answers a school can have: the project's analysts issue them.
    assert not can(coordinator, Action.MANAGE_CODES, Owned(1))
    assert can(FakeUser("analyst"), Action.MANAGE_CODES, Owned(2))
    assert can(FakeUser("analyst"), Action.VIEW_LINKS, Owned(2))
    assert not can(FakeUser("analyst"), Action.REOPEN_CAMPAIGN)
    assert can(FakeUser("admin"), Action.REOPEN_CAMPAIGN)
    assert not can(None, Action.SIGNED_IN)
    assert school_scope(coordinator) == {1} and school_scope(FakeUser("admin")) is None


@pytest.mark.parametrize("role", ["coordinator_b"])
def test_coordinator_lists_show_only_own_schools(app, world, role):
    client, _token = signed_in(app, EMAILS[role])
    page = client.get("/orte").get_data(as_text=True)
    assert "100002" in page and "100001" not in page
    campaigns = client.get("/kampagnen").get_data(as_text=True)
    assert "Kampagne beide" in campaigns and "Kampagne nur-a" not in campaigns
    with app.app_context():
        assert db.session.scalars(select(Link)).all() == []


@pytest.mark.parametrize("number", [2**31, 2**63, 10**25])
def test_a_number_no_integer_column_holds_is_not_found(app, world, number):
    """Every route with a number in its address, as an admin (who passes every rule):
    ids beyond a 32-bit column are no object of ours. They used to reach the database
    and come back as an overflow (500) on SQLite and PostgreSQL alike."""
    args = _url_args(app, world)
    client, token = signed_in(app, EMAILS["admin"])
    checked, failures = 0, []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        numbered = [a for a in rule.arguments if isinstance(rule._converters[a], KeyConverter)]
        for argument in numbered:
            values = {k: args[k] for k in rule.arguments} | {argument: number}
            url = rule.build(values, append_unknown=False)[1]
            for method in sorted({"GET", "POST"} & rule.methods):
                if method == "GET":
                    r = client.get(url)
                else:
                    r = client.post(url, data={"csrf_token": token})
                r.close()
                checked += 1
                if r.status_code != 404:
                    failures.append((method, url, r.status_code))
    assert failures == [], "\n".join(map(str, failures))
    assert checked > 20
