"""Many people answering at once: every response arrives, none twice."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from conftest import Respondent
from sqlalchemy import func, select

from survey.extensions import db
from survey.respond import services
from survey.respond.models import Answer, Draft, Response


def _answer_staff(app, token: str, role: int) -> None:
    person = Respondent(app.test_client(), token)
    assert person.start().status_code == 302
    assert person.post(1, {"role": str(role)}).status_code == 302
    done = person.post(2, {"families_welcome": "3", "partners_known": "1"})
    assert done.location.split("?")[0].endswith("/danke"), done.status_code


def test_200_parallel_submissions_all_arrive_once(app, links):
    roles = [1 + i % 4 for i in range(200)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda role: _answer_staff(app, links["staff"], role), roles))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 200
        role_counts = dict(
            db.session.execute(
                select(Answer.code, func.count())
                .where(Answer.variable == "role")
                .group_by(Answer.code)
            ).all()
        )
        assert role_counts == {1: 50, 2: 50, 3: 50, 4: 50}
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 600
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_the_same_draft_submitted_twice_at_once_stores_one(app, links):
    person = Respondent(app.test_client(), links["staff"])
    person.start()
    person.post(1, {"role": "2"})
    with app.app_context():
        draft_id = db.session.scalar(select(Draft.id))
        from survey.questionnaires.registry import registry

        questionnaire = registry().get("staff")
    barrier = threading.Barrier(6)
    results = []

    def submit_once() -> None:
        with app.app_context():
            barrier.wait()
            results.append(services.submit(db.session, draft_id, questionnaire, _today()))

    threads = [threading.Thread(target=submit_once) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r is not None for r in results) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def _today():
    from conftest import TODAY

    return TODAY
