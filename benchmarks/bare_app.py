"""The baseline for benchmarks/gunicorn_side.py: bare Flask + SQLAlchemy doing the same job.

GET /page renders a Jinja page of about the size of a Mitwirken question page (22 KB,
40 radio groups) after one SELECT; POST /submit stores one response and its answers
(one per posted field) in one transaction. ``BARE_DATABASE_URL`` names the database;
the tables are ``bare_response`` and ``bare_answer``.

Run:  BARE_DATABASE_URL=sqlite:///... gunicorn -w 2 'benchmarks.bare_app:app'
"""

from __future__ import annotations

import os
import uuid

from flask import Flask, redirect, request
from sqlalchemy import Column, ForeignKey, Integer, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Session


class Base(DeclarativeBase):
    pass


class BareResponse(Base):
    __tablename__ = "bare_response"
    id = Column(Integer, primary_key=True)
    key = Column(String(32), unique=True, nullable=False)


class BareAnswer(Base):
    __tablename__ = "bare_answer"
    id = Column(Integer, primary_key=True)
    response_id = Column(ForeignKey("bare_response.id"), nullable=False, index=True)
    question = Column(String(64), nullable=False)
    text = Column(String(2000))


PAGE = """<!doctype html><html lang="de"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>body{font-family:sans-serif}fieldset{border:0}</style></head><body><main>
<h1>{{ title }}</h1><form method="post" action="/submit">
{% for q in questions %}<fieldset><legend>{{ q.label }}</legend>
{% for o in q.options %}<label><input type="radio" name="{{ q.id }}" value="{{ o }}"
{% if answers.get(q.id) == o %} checked{% endif %}> {{ o }}</label>
{% endfor %}</fieldset>
{% endfor %}<button type="submit">Weiter</button></form></main></body></html>"""

QUESTIONS = [
    {
        "id": f"q{i}",
        "label": f"Frage {i}: Wie zufrieden sind Sie mit dem Angebot der Schule?",
        "options": ["gar nicht", "wenig", "teils", "eher", "sehr", "weiß nicht"],
    }
    for i in range(40)
]

engine = create_engine(os.environ.get("BARE_DATABASE_URL", "sqlite://"))
app = Flask("bare")
# Compiled once, as render_template() would from a file (render_template_string
# compiles its source on every call: that alone tripled the bare page's CPU).
page_template = app.jinja_env.from_string(PAGE)


@app.get("/page")
def page():
    with Session(engine) as session:
        session.execute(select(BareResponse.id).limit(1)).first()
    return page_template.render(
        title="Bare", questions=QUESTIONS, answers={"q3": "teils", "q7": "sehr"}
    )


@app.post("/submit")
def submit():
    with Session(engine) as session, session.begin():
        response = BareResponse(key=uuid.uuid4().hex)
        session.add(response)
        session.flush()
        session.add_all(
            BareAnswer(response_id=response.id, question=k, text=v[:2000])
            for k, v in request.form.items()
        )
    return redirect("/page", code=303)


def create_tables(url: str) -> None:
    eng = create_engine(url)
    Base.metadata.create_all(eng)
    eng.dispose()
