"""Synthetic responses for the demo campaign (``survey demo --responses N``).

The demo's reports and dashboard need something to show: N responses spread over the
demo schools and audiences in proportion to their expected numbers and a plausible
response rate, answered the way people answer (skewed towards the friendly end, some
"weiß nicht", some questions left out, more left out by a few), in several languages,
with a few groups smaller than the minimum group size so that suppression bites.

Every answer is valid against its questionnaire: questions are walked in order and a
question or page whose ``show_if`` is false is not answered, required questions always
are, bounds, ``max_choices`` and exclusive answers hold, "other" always comes with its
text. Rows are encoded by ``survey.respond.answers.encode``, the encoding of real
submits. Free texts are harmless generic phrases, never names.

The same seed (and the same day) gives the same responses. Memory stays flat: responses
are generated and written in chunks, with COPY on PostgreSQL and executemany elsewhere.
"""

from __future__ import annotations

import bisect
import math
import random
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from survey.core.errors import SurveyError
from survey.distribution import frozen
from survey.distribution.models import (
    AUDIENCES,
    Campaign,
    CampaignSchool,
    CampaignState,
    ExpectedCount,
    School,
)
from survey.questionnaires.conditions import Condition, Unordered
from survey.questionnaires.definition import Questionnaire, variables_of
from survey.questionnaires.model import (
    DONT_KNOW,
    OTHER,
    MatrixQuestion,
    MultiQuestion,
    NumberQuestion,
    Question,
    ScaleQuestion,
    SingleQuestion,
    SmileyQuestion,
    TextQuestion,
    YesNoQuestion,
)
from survey.respond.answers import ANSWER_COLUMNS, AnswerRow, encode
from survey.respond.models import Answer, Response
from survey.respond.services import week_start

#: The seed of ``survey demo --responses`` unless ``--seed`` says otherwise.
DEFAULT_SEED = 16
#: Responses generated and written at a time: memory is bounded by one chunk.
CHUNK = 2000
#: Days of the demo's field phase, ending the day before the responses are made.
FIELD_DAYS = 28
#: A school-audience group expecting fewer respondents than this never gets more than
#: it plausibly would (its expected number times its response rate), however large N:
#: these are the small groups that suppression must protect.
SMALL_GROUP = 10
#: Share of the expected respondents who answer, before a school's own factor.
RESPONSE_RATE = {"families": 0.58, "staff": 0.72, "children": 0.8, "partners": 0.55}
#: Families at schools with a high Sozialindex answer less often (per level above 1).
FAMILIES_RATE_PER_LEVEL = 0.02

#: Languages other than German, by audience: relative weights before a school's own mix.
OTHER_LANGUAGES = {
    "families": {
        "tr": 30, "ar": 22, "uk": 12, "ru": 8, "pl": 7, "bg": 7, "ro": 6, "ku": 4, "fa": 3,
        "en": 1,
    },
    "children": {"ar": 30, "uk": 25, "tr": 15, "ru": 10, "bg": 8, "ro": 8, "fa": 4},
    "staff": {"tr": 2, "en": 1, "ru": 1, "pl": 1},
    "partners": {"tr": 2, "en": 1},
}  # fmt: skip


def german_share(audience: str, sozialindex: int) -> float:
    """How many answer in German: fewer families (and children) where the Sozialindex is high."""
    if audience == "families":
        return 0.9 - 0.065 * sozialindex
    if audience == "children":
        return 0.95 - 0.045 * sozialindex
    return 0.96


#: Generic, harmless free texts (no names, no places, no numbers) in several scripts.
PHRASES = {
    "de": [
        "Mehr Angebote am Nachmittag.",
        "Bessere Informationen über Termine.",
        "Ein Elterncafé wäre schön.",
        "Mehr Sport und Bewegung.",
        "Die Toiletten sollten sauberer sein.",
        "Mehr Hilfe bei den Hausaufgaben.",
        "Freundlichere Gespräche.",
    ],
    "tr": ["Öğleden sonra daha fazla etkinlik.", "Veliler için daha fazla bilgi."],
    "ar": ["المزيد من الأنشطة بعد الظهر", "معلومات أكثر للأهل"],
    "uk": ["Більше гуртків після уроків.", "Більше інформації для батьків."],
    "ru": ["Больше занятий после уроков.", "Больше информации для родителей."],
    "pl": ["Więcej zajęć po lekcjach.", "Lepsza informacja dla rodziców."],
    "bg": ["Повече занимания след училище."],
    "ro": ["Mai multe activități după școală."],
    "ku": ["Zêdetir çalakî piştî dibistanê."],
    "fa": ["فعالیت‌های بیشتر بعد از مدرسه"],
    "en": ["More activities in the afternoon."],
}
#: What is written after "anderes, und zwar:".
OTHER_PHRASES = {
    "de": ["etwas anderes", "kommt darauf an", "im Verein"],
    "tr": ["başka bir şey"],
    "ar": ["شيء آخر"],
    "uk": ["щось інше"],
    "ru": ["что-то другое"],
    "pl": ["coś innego"],
    "bg": ["нещо друго"],
    "ro": ["altceva"],
    "ku": ["tiştekî din"],
    "fa": ["چیز دیگری"],
    "en": ["something else"],
}


@dataclass(frozen=True)
class Person:
    """What shapes one respondent's answers."""

    #: general mood: positive answers on every ordered scale and yes/no, about N(0, 1)
    mood: float
    language: str
    #: multiplies the chance of leaving a question out (a few leave out many)
    skipping: float


Typed = dict[str, Any]
#: one question's answer: (variable, typed value) pairs, empty when left out
Answerer = Callable[[random.Random, Person], list[tuple[str, Any]]]


class Simulator:
    """Answers one questionnaire as a population would. The answer distributions of
    each variable are drawn once from ``seed`` and the questionnaire's id, so they do not
    depend on N; each respondent then draws their answers with the ``rng`` given."""

    def __init__(self, questionnaire: Questionnaire, seed: int) -> None:
        self.questionnaire = questionnaire
        params = random.Random(f"{seed}:{questionnaire.id}")
        self.pages: list[tuple[Condition | None, list[tuple[Condition | None, Answerer]]]] = []
        #: (question, variable, kind) in the questionnaire's order: how rows are encoded
        self.variables = [
            (question, variable, kind) for variable, question, kind in questionnaire.variables()
        ]
        for page in questionnaire.pages:
            questions = [
                (questionnaire.conditions.get(q.id), self._answerer(q, params))
                for q in page.questions
            ]
            self.pages.append((questionnaire.conditions.get("page:" + page.id), questions))

    def answers(self, rng: random.Random, person: Person) -> Typed:
        """One respondent's typed answers (as ``typed_value`` gives them), visible only."""
        typed: Typed = {}
        for page_condition, questions in self.pages:
            # Conditions name only earlier questions, whose answers are final by now.
            if page_condition is not None and not page_condition.evaluate(typed):
                continue
            for condition, answer in questions:
                if condition is not None and not condition.evaluate(typed):
                    continue
                typed.update(answer(rng, person))
        return typed

    def rows(self, typed: Typed) -> list[AnswerRow]:
        """The Answer rows of ``answers``' result, as a real submit stores them."""
        found: list[AnswerRow] = []
        for question, variable, kind in self.variables:
            if variable in typed:
                found.extend(encode(question, variable, kind, typed[variable]))
        return found

    # --- one answerer per question type ---------------------------------------------------

    def _answerer(self, q: Question, params: random.Random) -> Answerer:
        skip = 0.0 if q.required else params.uniform(0.01, 0.05) + (0.08 if q.identifying else 0)
        options = [c.value for c in self.questionnaire.options.get(q.id, ())]
        dont_know = params.uniform(0.02, 0.09) if DONT_KNOW in options else 0.0
        if isinstance(q, ScaleQuestion | SmileyQuestion | MatrixQuestion):
            points = [v for v in options if v not in (DONT_KNOW, OTHER)]
            names = variables_of(q)
            scales = [_scale(points, dont_know, params) for _ in names]
            return self._each(names, scales, skip, item_skip=0.0 if q.required else 0.02)
        if isinstance(q, YesNoQuestion):
            yes, weight = params.uniform(0.35, 0.85), params.uniform(0.05, 0.2)

            def yesno(rng: random.Random, p: Person) -> Any:
                if dont_know and rng.random() < dont_know:
                    return Unordered(DONT_KNOW)
                return 1 if rng.random() < yes + weight * p.mood else 0

            return self._each([q.id], [yesno], skip)
        if isinstance(q, SingleQuestion):
            return self._single(q, [v for v in options if v != OTHER], skip, params)
        if isinstance(q, MultiQuestion):
            return self._multi(q, skip, params)
        if isinstance(q, NumberQuestion):
            low = q.min if q.min is not None else 0
            high = q.max if q.max is not None else low + 40
            mean = params.uniform(0.05, 0.3) * (high - low) + 0.5

            def number(rng: random.Random, p: Person) -> Any:
                return min(high, low + int(rng.expovariate(1 / mean)))

            return self._each([q.id], [number], skip)
        assert isinstance(q, TextQuestion)
        share = 1.0 if q.required else params.uniform(0.06, 0.15)
        limit = q.max_length

        def write(rng: random.Random, p: Person) -> list[tuple[str, Any]]:
            # a submit strips what was typed: a phrase cut short must not end in a space
            phrase = rng.choice(PHRASES.get(p.language, PHRASES["de"]))[:limit].strip()
            return [(q.id, phrase)] if phrase and rng.random() < share else []

        return write

    @staticmethod
    def _each(
        names: list[str],
        draws: list[Callable[[random.Random, Person], Any]],
        skip: float,
        item_skip: float = 0.0,
    ) -> Answerer:
        """A question of one or more variables (a matrix: one per item), left out as a whole
        with probability ``skip``, a single matrix item with ``item_skip``."""

        def answer(rng: random.Random, p: Person) -> list[tuple[str, Any]]:
            if skip and rng.random() < skip * p.skipping:
                return []
            if len(names) == 1:
                return [(names[0], draws[0](rng, p))]
            return [
                (n, d(rng, p))
                for n, d in zip(names, draws, strict=True)
                if not item_skip or rng.random() >= item_skip
            ]

        return answer

    def _single(
        self, q: SingleQuestion, codes: list[int], skip: float, params: random.Random
    ) -> Answerer:
        weights = _skewed(len(codes), params)
        cumulative = list(accumulate(weights))
        other = params.uniform(0.01, 0.05) if q.other else 0.0

        def answer(rng: random.Random, p: Person) -> list[tuple[str, Any]]:
            if skip and rng.random() < skip * p.skipping:
                return []
            if other and rng.random() < other:
                return [(q.id, Unordered(OTHER)), (f"{q.id}_other", _other_text(rng, p))]
            code = codes[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
            return [(q.id, code)]

        return answer

    def _multi(self, q: MultiQuestion, skip: float, params: random.Random) -> Answerer:
        choices = self.questionnaire.options[q.id]
        ticks = [c.value for c in choices if not c.exclusive and c.value != OTHER]
        alone = [c.value for c in choices if c.exclusive]
        chances = [min(0.75, 2.2 * w) for w in _skewed(len(ticks), params)]
        exclusive = params.uniform(0.04, 0.15) if alone else 0.0
        other = params.uniform(0.01, 0.05) if q.other else 0.0
        most = q.max_choices

        def answer(rng: random.Random, p: Person) -> list[tuple[str, Any]]:
            if skip and rng.random() < skip * p.skipping:
                return []
            if exclusive and rng.random() < exclusive:
                return [(q.id, [alone[0]])]
            chosen = [c for c, chance in zip(ticks, chances, strict=True) if rng.random() < chance]
            if other and rng.random() < other:
                chosen.append(OTHER)
            if not chosen:  # who answers ticks something: the most common answer
                chosen = [ticks[chances.index(max(chances))]]
            if most and len(chosen) > most:
                chosen = rng.sample(chosen, most)
            found: list[tuple[str, Any]] = [(q.id, sorted(chosen))]
            if OTHER in chosen:
                found.append((f"{q.id}_other", _other_text(rng, p)))
            return found

        return answer


def _skewed(count: int, params: random.Random) -> list[float]:
    """Weights of ``count`` answers, far from uniform: a Zipf-like fall in a random order."""
    ranks = list(range(count))
    params.shuffle(ranks)
    exponent = params.uniform(0.6, 1.4)
    return [1 / (rank + 1) ** exponent for rank in ranks]


def _scale(points: list[int], dont_know: float, params: random.Random):
    """An ordered scale: a latent answer around a per-item level, raised by the person's
    mood, cut into the points. Most items lean to the friendly end, a few do not."""
    level = params.uniform(0.35, 0.8)
    weight = params.uniform(0.05, 0.2)
    spread = params.uniform(0.15, 0.3)
    m = len(points)

    def draw(rng: random.Random, p: Person) -> Any:
        if dont_know and rng.random() < dont_know:
            return Unordered(DONT_KNOW)
        y = level + weight * p.mood + rng.gauss(0.0, spread)
        return points[min(m - 1, max(0, int(y * m)))]

    return draw


def _other_text(rng: random.Random, p: Person) -> str:
    return rng.choice(OTHER_PHRASES.get(p.language, OTHER_PHRASES["de"]))


# --- where the responses go -----------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """The respondents of one audience at one school."""

    school_id: int
    number: str
    sozialindex: int
    audience: str
    questionnaire_id: str
    expected: int
    #: expected respondents times the response rate: the weight of this group in N
    weight: float

    @property
    def small(self) -> bool:
        return self.expected < SMALL_GROUP


def groups_of(session: Session, campaign: Campaign, seed: int) -> list[Group]:
    """The campaign's school-audience groups with their weights (schools in number order)."""
    schools = session.execute(
        select(School.id, School.number, School.sozialindex)
        .join(CampaignSchool, CampaignSchool.school_id == School.id)
        .where(CampaignSchool.campaign_id == campaign.id)
        .order_by(School.number)
    ).all()
    expected = {
        (school_id, audience): n
        for school_id, audience, n in session.execute(
            select(ExpectedCount.school_id, ExpectedCount.audience, ExpectedCount.expected).where(
                ExpectedCount.campaign_id == campaign.id
            )
        )
    }
    found = []
    for school_id, number, sozialindex in schools:
        level = sozialindex or 5
        # Some schools lag behind, some do well: the dashboard then has something to show.
        factor = random.Random(f"{seed}:{number}").uniform(0.45, 1.6)
        for audience in AUDIENCES:
            questionnaire_id = campaign.questionnaire_for(audience)
            if questionnaire_id is None:
                continue
            n = expected.get((school_id, audience), 0)
            rate = RESPONSE_RATE[audience]
            if audience == "families":
                rate -= FAMILIES_RATE_PER_LEVEL * (level - 1)
            # A power, not a product: the school's factor moves the rate, never past 100 %.
            rate **= 1 / factor
            group = Group(school_id, number, level, audience, questionnaire_id, n, n * rate)
            found.append(group)
    return found


def allocate(total: int, groups: Sequence[Group]) -> list[int]:
    """How many of ``total`` responses each group gets: in proportion to its weight, except
    that a small group gets no more than its weight (rounded, at least 1), so it stays
    small however large ``total`` is. The counts sum to ``total``."""
    if not groups:
        return []
    counts = _largest_remainder(total, [g.weight for g in groups])
    large = [i for i, g in enumerate(groups) if not g.small and g.weight > 0]
    if not large:
        return counts
    excess = 0
    for i, group in enumerate(groups):
        if group.small:
            cap = max(1, round(group.weight))
            excess += max(0, counts[i] - cap)
            counts[i] = min(counts[i], cap)
    extra = _largest_remainder(excess, [groups[i].weight for i in large])
    for i, n in zip(large, extra, strict=True):
        counts[i] += n
    return counts


def _largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    whole = sum(weights)
    if whole <= 0:
        weights, whole = [1.0] * len(weights), float(len(weights))
    shares = [total * w / whole for w in weights]
    counts = [math.floor(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def language_weights(
    group: Group, offered: Collection[str] | None, seed: int
) -> tuple[list[str], list[float]]:
    """The answer languages of a group and their cumulative weights: German mostly, the
    others in a mix of the school's own (some languages absent at a school), only those
    the questionnaire is ``offered`` in (None: all)."""
    mix = random.Random(f"{seed}:{group.number}:{group.audience}:languages")
    others = {
        language: weight * mix.choice((0.0, 0.4, 1.0, 1.6))
        for language, weight in OTHER_LANGUAGES[group.audience].items()
        if offered is None or language in offered
    }
    other_total = sum(others.values())
    german = german_share(group.audience, group.sozialindex) if other_total else 1.0
    languages = ["de"] + [lang for lang, w in others.items() if w > 0]
    weights = [german] + [(1 - german) * w / other_total for lang, w in others.items() if w > 0]
    return languages, list(accumulate(weights))


def field_days(today: date, audience: str) -> tuple[list[date], list[float]]:
    """The days of the field phase and the cumulative share of responses on each: most in
    the first days, a second wave after the reminder in the third week; children answer
    in class (no weekends), staff and partners hardly at weekends."""
    first = today - timedelta(days=FIELD_DAYS)
    days = [first + timedelta(days=i) for i in range(FIELD_DAYS)]
    weekend = {"families": 0.5, "children": 0.0}.get(audience, 0.1)
    weights = [
        (0.25 + math.exp(-i / 4) + 0.7 * math.exp(-((i - 15) ** 2) / 5))
        * (weekend if day.weekday() >= 5 else 1.0)
        for i, day in enumerate(days)
    ]
    return days, list(accumulate(weights))


def _pick(rng: random.Random, items: Sequence, cumulative: Sequence[float]):
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


# --- filling the campaign ---------------------------------------------------------------------


@dataclass(frozen=True)
class Filled:
    responses: int
    answers: int
    first_day: date
    last_day: date


def fill(
    session: Session,
    campaign: Campaign,
    questionnaires: Mapping[str, Questionnaire],
    total: int,
    today: date,
    *,
    seed: int = DEFAULT_SEED,
    offered: Mapping[str, Sequence[str]] | None = None,
    granularity: str = "day",
    chunk: int = CHUNK,
) -> Filled:
    """Replace the campaign's responses by ``total`` synthetic ones and close it.

    The campaign is closed first, so that no respondent's answer lands in the middle
    of the replacement; every response it held before (synthetic or given through its
    links) is deleted, so that it then holds exactly ``total``. ``offered``: the
    languages each questionnaire is offered in (None: all). Commits after each chunk.
    """
    missing = [
        q.questionnaire_id
        for q in campaign.questionnaires
        if q.questionnaire_id not in questionnaires
    ]
    if missing:
        raise SurveyError(f"no valid questionnaire {', '.join(missing)}: run survey check")
    campaign.state = CampaignState.CLOSED
    session.flush()
    # Counts frozen at an earlier close describe responses about to be deleted.
    frozen.thaw(session, campaign.id)
    old = select(Response.id).where(Response.campaign_id == campaign.id)
    # No session synchronisation: the ORM would fetch the key of every deleted row.
    quiet = {"synchronize_session": False}
    session.execute(delete(Answer).where(Answer.response_id.in_(old)), execution_options=quiet)
    session.execute(
        delete(Response).where(Response.campaign_id == campaign.id), execution_options=quiet
    )
    session.commit()

    groups = groups_of(session, campaign, seed)
    counts = allocate(total, groups)
    simulators = {
        qid: Simulator(questionnaires[qid], seed) for qid in {g.questionnaire_id for g in groups}
    }
    rng = random.Random(seed)
    write = _Writer(session)
    responses: list[tuple] = []
    answers: list[tuple] = []
    stored = 0
    for group, count in zip(groups, counts, strict=True):
        simulator = simulators[group.questionnaire_id]
        version = simulator.questionnaire.version
        languages, language_cumulative = language_weights(
            group, None if offered is None else offered.get(group.questionnaire_id, ()), seed
        )
        days, day_cumulative = field_days(today, group.audience)
        # How the school is doing (high Sozialindex: a little less content), the same
        # for every audience at that school.
        climate = random.Random(f"{seed}:{group.number}:climate").gauss(
            0.1 * (5 - group.sozialindex), 0.3
        )
        for _ in range(count):
            language = _pick(rng, languages, language_cumulative)
            person = Person(
                mood=rng.gauss(climate - (0.25 if language != "de" else 0.0), 1.0),
                language=language,
                skipping=6.0 if rng.random() < 0.12 else 1.0,
            )
            day = _pick(rng, days, day_cumulative)
            response_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            responses.append(
                (
                    response_id,
                    campaign.id,
                    group.school_id,
                    group.audience,
                    group.questionnaire_id,
                    version,
                    language,
                    week_start(day) if granularity == "week" else day,
                    True,
                )
            )
            key = write.key(response_id)
            for row in simulator.rows(simulator.answers(rng, person)):
                answers.append((key, *row))
            if len(responses) >= chunk:
                stored += write(responses, answers)
                responses, answers = [], []
    stored += write(responses, answers)
    campaign.opens_on = today - timedelta(days=FIELD_DAYS)
    campaign.closes_on = today - timedelta(days=1)
    # Closed as the staff area closes a campaign: its answers counted once for the reports.
    frozen.freeze(session, campaign.id)
    session.commit()
    _analyze(session)
    return Filled(
        responses=sum(counts),
        answers=stored,
        first_day=campaign.opens_on,
        last_day=campaign.closes_on,
    )


RESPONSE_COLUMNS = (
    "id",
    "campaign_id",
    "school_id",
    "audience",
    "questionnaire_id",
    "questionnaire_version",
    "language",
    "submitted_on",
    "complete",
)
ANSWER_TABLE_COLUMNS = ("response_id", *ANSWER_COLUMNS)


class _Writer:
    """Stores chunks of response and answer rows, committing after each. PostgreSQL:
    COPY (several times faster than INSERT). Elsewhere: the driver's executemany, with
    values converted by each column type's own bind processor, so that the stored values
    are exactly what an ORM insert stores (SQLAlchemy's per-row parameter handling would
    double the time of the whole command)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        dialect = session.get_bind().dialect
        self.copy = dialect.name == "postgresql"
        self.marker = "?" if dialect.paramstyle == "qmark" else "%s"

        def processors(table, columns) -> list:
            return [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]

        self.convert = {
            Response.__tablename__: processors(Response.__table__, RESPONSE_COLUMNS),
            Answer.__tablename__: [None] + processors(Answer.__table__, ANSWER_TABLE_COLUMNS)[1:],
        }
        key = None if self.copy else processors(Answer.__table__, ["response_id"])[0]
        #: the response id as it goes into the answer rows: converted once per response,
        #: not once per answer (about 40 of them)
        self.key: Callable[[uuid.UUID], Any] = key or (lambda value: value)

    def __call__(self, responses: list[tuple], answers: list[tuple]) -> int:
        """Store one chunk (answer rows carry ``key(response id)``); returns its answers."""
        for table, columns, rows in (
            (Response.__tablename__, RESPONSE_COLUMNS, responses),
            (Answer.__tablename__, ANSWER_TABLE_COLUMNS, answers),
        ):
            if rows:
                (self._copy if self.copy else self._execute_many)(table, columns, rows)
        self.session.commit()
        return len(answers)

    def _copy(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        driver = self.session.connection().connection.driver_connection
        with (
            driver.cursor() as cursor,  # type: ignore[union-attr]
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as out,
        ):
            for row in rows:
                out.write_row(row)

    def _execute_many(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        for i, process in enumerate(self.convert[table]):
            if process is not None:  # one pass per such column; None stays None
                rows = [
                    row if row[i] is None else (*row[:i], process(row[i]), *row[i + 1 :])
                    for row in rows
                ]
        names, markers = ", ".join(columns), ", ".join([self.marker] * len(columns))
        # Table and column names are ours; the values are parameters.
        statement = f"INSERT INTO {table} ({names}) VALUES ({markers})"  # noqa: S608
        self.session.connection().exec_driver_sql(statement, rows)


def _analyze(session: Session) -> None:
    """Fresh planner statistics, as autovacuum would gather them later: the reports built
    right after need them (PostgreSQL plans a join of 3 M answers badly without)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE response"))
        session.execute(text("ANALYZE answer"))
        session.commit()
