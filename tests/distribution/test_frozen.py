"""Frozen counts: closing a campaign counts its answers once; reopening forgets them."""

from __future__ import annotations

import random
from collections import Counter

from report_factories import make_responses, make_world, random_family
from sqlalchemy import select, text

from survey.core import migrate
from survey.core.db import make_engine
from survey.distribution.campaigns import change_state
from survey.distribution.models import CampaignState, FrozenCount, FrozenRespondents
from survey.extensions import db

SCHOOLS = {"Nordschule": ("Nord", "Grundschule"), "Südschule": ("Süd", "Gesamtschule")}


def _fill(world, rnd: random.Random, per_school: int = 12) -> None:
    for school in SCHOOLS:
        for language in ("de", "tr"):
            make_responses(
                db.session, world, school, [random_family(rnd) for _ in range(per_school)],
                language=language,
            )  # fmt: skip


def independent(world) -> tuple[Counter, Counter, Counter]:
    """(n, answered, respondents) straight from the answers the factories stored."""
    n: Counter = Counter()
    answered: Counter = Counter()
    people: Counter = Counter()
    for school, audience, questionnaire, language, answers in world.answers:
        sid = world.schools[school].id
        people[(sid, audience, language)] += 1
        for variable, value in answers.items():
            key = (sid, audience, questionnaire, language, variable)
            if isinstance(value, str):
                continue  # free text is never counted
            if isinstance(value, list):
                for i, code in enumerate(sorted(value)):
                    n[(*key, code, None)] += 1
                    answered[(*key, code, None)] += i == 0
            elif isinstance(value, float):
                n[(*key, None, value)] += 1
                answered[(*key, None, value)] += 1
            else:
                n[(*key, int(value), None)] += 1
                answered[(*key, int(value), None)] += 1
    return n, +answered, people


def frozen_rows(campaign_id: int) -> tuple[Counter, Counter, Counter]:
    n: Counter = Counter()
    answered: Counter = Counter()
    for row in db.session.scalars(
        select(FrozenCount).where(FrozenCount.campaign_id == campaign_id)
    ):
        key = (row.school_id, row.audience, row.questionnaire_id, row.language, row.variable,
               row.code, row.number)  # fmt: skip
        assert key not in n, key  # one row per group
        n[key] = row.n
        if row.answered:
            answered[key] = row.answered
    people = Counter(
        {
            (r.school_id, r.audience, r.language): r.n
            for r in db.session.scalars(
                select(FrozenRespondents).where(FrozenRespondents.campaign_id == campaign_id)
            )
        }
    )
    return n, answered, people


def test_closing_freezes_counts_equal_to_an_independent_count(app):
    with app.app_context():
        world = make_world(db.session, SCHOOLS, is_open=True)
        _fill(world, random.Random(5))
        db.session.commit()
        assert frozen_rows(world.campaign.id) == (Counter(), Counter(), Counter())
        change_state(db.session, None, world.campaign, CampaignState.CLOSED, False)
        db.session.commit()
        got = frozen_rows(world.campaign.id)
        assert got == independent(world)
        assert sum(got[2].values()) == 48 and len(got[0]) > 20


def test_reopening_forgets_and_closing_again_counts_afresh(app):
    rnd = random.Random(9)
    with app.app_context():
        world = make_world(db.session, SCHOOLS, is_open=True)
        _fill(world, rnd)
        change_state(db.session, None, world.campaign, CampaignState.CLOSED, False)
        db.session.commit()
        first = frozen_rows(world.campaign.id)
        change_state(db.session, None, world.campaign, CampaignState.OPEN, True)
        db.session.commit()
        assert frozen_rows(world.campaign.id) == (Counter(), Counter(), Counter())
        _fill(world, rnd, per_school=3)
        change_state(db.session, None, world.campaign, CampaignState.CLOSED, False)
        db.session.commit()
        again = frozen_rows(world.campaign.id)
        assert again == independent(world) and again != first
        assert sum(again[2].values()) == 48 + 12


def test_a_failed_close_leaves_no_counts(app):
    """State and counts are one transaction: rolled back together."""
    with app.app_context():
        world = make_world(db.session, SCHOOLS, is_open=True)
        _fill(world, random.Random(2))
        db.session.commit()
        change_state(db.session, None, world.campaign, CampaignState.CLOSED, False)
        db.session.rollback()
        assert db.session.get(type(world.campaign), world.campaign.id).state == "open"
        assert frozen_rows(world.campaign.id) == (Counter(), Counter(), Counter())


def test_migration_0006_freezes_campaigns_closed_before_it(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/m.db")
    migrate.upgrade(engine, "0004")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO municipality (id, name) VALUES (1, 'M')"))
        conn.execute(text("INSERT INTO district (id, municipality_id, name) VALUES (1, 1, 'D')"))
        conn.execute(
            text(
                "INSERT INTO school (id, number, district_id, name, school_type) "
                "VALUES (1, '100001', 1, 'S', 'Grundschule')"
            )
        )
        for cid, state in ((1, "closed"), (2, "open")):
            conn.execute(
                text(
                    "INSERT INTO campaign (id, slug, title, municipality_id, state) "
                    "VALUES (:id, :slug, 'C', 1, :state)"
                ),
                {"id": cid, "slug": f"c{cid}", "state": state},
            )
        for i in range(6):
            rid = f"{i:032x}"
            conn.execute(
                text(
                    "INSERT INTO response VALUES "
                    "(:id, :c, 1, 'families', 'families', 'v', :lang, '2026-11-25', 1)"
                ),
                {"id": rid, "c": 1 + i % 2, "lang": "de" if i < 4 else "ar"},
            )
            conn.execute(
                text("INSERT INTO answer VALUES (:id, 'welcome', 0, :code, NULL, NULL)"),
                {"id": rid, "code": 3 + i % 3 // 2},
            )
            conn.execute(
                text("INSERT INTO answer VALUES (:id, 'wish', 0, NULL, NULL, 'hallo')"),
                {"id": rid},
            )
    migrate.upgrade(engine, "0006")
    with engine.connect() as conn:
        counts = conn.execute(
            text(
                "SELECT campaign_id, language, variable, code, answered, n FROM frozen_count "
                "ORDER BY campaign_id, language, code"
            )
        ).all()
        people = conn.execute(
            text("SELECT campaign_id, language, n FROM frozen_respondents ORDER BY language")
        ).all()
    # campaign 1 holds responses 0, 2, 4: codes 3, 4, 3; languages de, de, ar
    assert [tuple(r) for r in counts] == [
        (1, "ar", "welcome", 3, 1, 1),
        (1, "de", "welcome", 3, 1, 1),
        (1, "de", "welcome", 4, 1, 1),
    ]
    assert [tuple(r) for r in people] == [(1, "ar", 1), (1, "de", 2)]
    migrate.downgrade(engine, "0004")
    with engine.connect() as conn:
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
    assert not tables & {"frozen_count", "frozen_respondents"}
    engine.dispose()
