"""YAML files -> validated, immutable ``Questionnaire`` definitions.

Every problem is reported as ``file:line: problem``. ruamel.yaml keeps the line
of every key and list item, so a wrong value is located as precisely as a
syntax error.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from survey.questionnaires import conditions
from survey.questionnaires.definition import (
    Questionnaire,
    counted_codes,
    indicator_refs,
    resolve_choices,
    variable_kind,
    variables_of,
)
from survey.questionnaires.model import (
    DONT_KNOW,
    OTHER,
    QUESTION_TYPES,
    REPORT_LEVELS,
    MatrixQuestion,
    NumberQuestion,
    QuestionnaireFile,
    SmileyQuestion,
    TextQuestion,
    ThemesFile,
)

Loc = tuple[str | int, ...]


class Problem(Exception):
    def __init__(self, path: Path | str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = str(path), line, message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


#: The shared catalogue of themes and indicators, beside the questionnaires.
THEMES_FILE = "themes.yaml"


def cached_themes(path: Path) -> ThemesFile:
    """``load_themes``, read once per version of the file (a worker building reports read
    it for every report: a tenth of a school's PDF). Callers must not change it."""
    stat = path.stat()
    return _cached_themes(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _cached_themes(path: str, _mtime_ns: int, _size: int) -> ThemesFile:
    return load_themes(Path(path))


def load_themes(path: Path) -> ThemesFile:
    """The catalogue of themes and indicators; raise ``ProblemList`` with every problem."""
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise ProblemList([Problem(path, 1, "the file must be a mapping with themes, indicators")])
    try:
        catalogue = ThemesFile.model_validate(_plain(raw))
    except ValidationError as exc:
        raise ProblemList(_by_line(_schema_problems(path, raw, exc))) from None
    problems: list[Problem] = []
    theme_ids = [t.id for t in catalogue.themes]
    for i, theme_id in enumerate(theme_ids):
        if theme_id in theme_ids[:i]:
            problems.append(
                Problem(path, locate(raw, ("themes", i, "id")), f"duplicate theme '{theme_id}'")
            )
    seen: set[str] = set()
    for i, indicator in enumerate(catalogue.indicators):
        loc: Loc = ("indicators", i)
        if indicator.id in seen:
            problems.append(
                Problem(path, locate(raw, loc + ("id",)), f"duplicate indicator '{indicator.id}'")
            )
        seen.add(indicator.id)
        if indicator.theme not in theme_ids:
            problems.append(
                Problem(
                    path,
                    locate(raw, loc + ("theme",)),
                    f"indicator '{indicator.id}': unknown theme '{indicator.theme}'",
                )
            )
    if problems:
        raise ProblemList(_by_line(problems))
    return catalogue


def load_file(path: Path, catalogue: ThemesFile | None = None) -> Questionnaire:
    """Load one file; raise ``ProblemList`` with every problem found.

    With a ``catalogue``, every theme and indicator the file names must be defined there.
    """
    raw = _read_yaml(path)
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        raise ProblemList([Problem(path, 1, "the file must be a mapping with id, title, pages…")])
    try:
        model = QuestionnaireFile.model_validate(_plain(raw))
    except ValidationError as exc:
        raise ProblemList(_by_line(_schema_problems(path, raw, exc))) from None
    for loc, message in semantic_problems(model) + catalogue_problems(model, catalogue):
        problems.append(Problem(path, locate(raw, loc), message))
    if problems:
        raise ProblemList(_by_line(problems))
    return Questionnaire.build(model, version=content_version(raw), path=path, catalogue=catalogue)


def _schema_problems(path: Path, raw: Any, exc: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    errors = exc.errors()
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] == "too_short" and any(
            len(other["loc"]) > len(loc) and tuple(other["loc"][: len(loc)]) == loc
            for other in errors
        ):
            continue  # "too few questions" only because a question inside failed
        if err["type"] == "union_tag_invalid":
            loc += ("type",)
        problems.append(Problem(path, locate(raw, loc), _describe(err, raw)))
    return problems


def _by_line(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: p.line)


class ProblemList(Exception):
    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = list(problems)


def load_directory(directory: Path) -> tuple[dict[str, Questionnaire], list[Problem]]:
    """All questionnaires of a folder, checked against its ``themes.yaml``."""
    return load_paths(questionnaire_files(Path(directory)))


def questionnaire_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.name != THEMES_FILE)


def themes_for(path: Path, themes: Path | None = None, fallback: Path | None = None) -> Path:
    """The themes catalogue a questionnaire file is checked against: ``themes`` if given,
    else the ``themes.yaml`` beside the file, else ``fallback`` (the shipped one)."""
    if themes is not None:
        return themes
    beside = path.parent / THEMES_FILE
    return beside if beside.exists() or fallback is None else fallback


def load_paths(
    paths: Iterable[Path], themes: Path | None = None, fallback_themes: Path | None = None
) -> tuple[dict[str, Questionnaire], list[Problem]]:
    """Load questionnaires against their themes catalogue (see ``themes_for``)."""
    found: dict[str, Questionnaire] = {}
    problems: list[Problem] = []
    catalogues: dict[Path, ThemesFile | None] = {}
    for path in paths:
        themes_path = themes_for(path, themes, fallback_themes)
        if themes_path not in catalogues:
            # No catalogue means no theme can be defined: references are reported, not skipped.
            catalogues[themes_path] = ThemesFile.model_construct(themes=(), indicators=())
            if themes_path.exists():
                try:
                    catalogues[themes_path] = load_themes(themes_path)
                except ProblemList as exc:
                    problems.extend(exc.problems)
        try:
            questionnaire = load_file(path, catalogues[themes_path])
        except ProblemList as exc:
            problems.extend(exc.problems)
            continue
        if questionnaire.id in found:
            other = found[questionnaire.id].path
            problems.append(
                Problem(path, 1, f"questionnaire id '{questionnaire.id}' is also used by {other}")
            )
            continue
        found[questionnaire.id] = questionnaire
    problems.extend(indicator_scale_problems(found.values()))
    return found, problems


def indicator_scale_problems(questionnaires: Iterable[Questionnaire]) -> list[Problem]:
    """One indicator measures one thing on one kind of scale, in every questionnaire.

    The first use of an indicator (in file order) sets its scale type; every use
    on another type is reported where it stands. Perspectives that are asked
    different things belong in separate indicators under the same theme.
    """
    first: dict[str, tuple[str, str]] = {}  # indicator -> (scale type, where)
    problems: list[Problem] = []
    raws: dict[Path, Any] = {}
    for questionnaire in questionnaires:
        for use in questionnaire.indicators:
            where = f"{questionnaire.id}.{use.variable}"
            scale, seen_at = first.setdefault(use.indicator, (use.scale, where))
            if use.scale == scale:
                continue
            line = 1
            if questionnaire.path is not None:
                if questionnaire.path not in raws:
                    raws[questionnaire.path] = _read_yaml(questionnaire.path)
                line = locate(raws[questionnaire.path], use.loc + ("indicator",))
            problems.append(
                Problem(
                    questionnaire.path or questionnaire.id,
                    line,
                    f"'{use.variable}': indicator '{use.indicator}' mixes scale types: "
                    f"{use.scale} here, {scale} in {seen_at} (an indicator's items share "
                    "one scale type: make a separate indicator under the same theme)",
                )
            )
    return problems


def content_version(raw: Any) -> str:
    """A hash of the content, not of the bytes: comments and layout do not make a new version."""
    canonical = json.dumps(_plain(raw), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


# --- reading -----------------------------------------------------------------------------


def _read_yaml(path: Path) -> Any:
    yaml = YAML(typ="rt")  # round-trip keeps line numbers; it builds no Python objects from tags
    yaml.allow_duplicate_keys = False
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise ProblemList([Problem(path, line, f"bad YAML: {problem}")]) from None
    except YAMLError as exc:
        raise ProblemList([Problem(path, 1, f"bad YAML: {exc}")]) from None
    except UnicodeDecodeError as exc:
        raise ProblemList([Problem(path, 1, f"the file is not UTF-8: {exc.reason}")]) from None
    except OSError as exc:
        raise ProblemList([Problem(path, 1, f"cannot read the file: {exc.strerror}")]) from None


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool):
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


def locate(raw: Any, loc: Loc) -> int:
    """The 1-based line of the deepest node of ``loc`` that exists in the file."""
    node, line = raw, 1
    for part in loc:
        if (
            isinstance(node, dict)
            and part in node
            or isinstance(node, list)
            and isinstance(part, int)
            and 0 <= part < len(node)
        ):
            line = _line_of(node, part, line)
            node = node[part]
        # other parts (a union's tag name) do not exist in the file: skip them
    return line


def _line_of(container: Any, key: Any, default: int) -> int:
    lc = getattr(container, "lc", None)
    if lc is None:
        return default
    try:
        pos = lc.key(key) if isinstance(container, dict) else lc.item(key)
    except (KeyError, IndexError, TypeError):
        return default
    return pos[0] + 1 if pos else default  # a tagged node may carry no position


def _describe(err: dict[str, Any], raw: Any) -> str:
    loc = tuple(err["loc"])
    where = _where(loc, raw)
    kind = err["type"]
    if kind == "union_tag_invalid":
        tag = err.get("input", {}).get("type") if isinstance(err.get("input"), dict) else None
        return f"{where}unknown question type '{tag}' (known: {', '.join(QUESTION_TYPES)})"
    if kind == "union_tag_not_found":
        return f"{where}a question needs a type ({', '.join(QUESTION_TYPES)})"
    field = next((p for p in reversed(loc) if isinstance(p, str)), "")
    if kind == "missing":
        return f"{where}'{field}' is missing"
    if kind == "extra_forbidden":
        return f"{where}unknown field '{field}'"
    if kind == "string_pattern_mismatch":
        return (
            f"{where}'{field}' must be a variable name (lower-case letters, digits and _, "
            f"starting with a letter, at most 40 characters), not {err.get('input')!r}"
        )
    return f"{where}{field}: {err['msg']}" if field else f"{where}{err['msg']}"


def _where(loc: Loc, raw: Any) -> str:
    """'question x: ' when the error sits inside a question whose id is known."""
    kinds = {"pages": "page", "questions": "question", "items": "item"}
    node, label, container = raw, "", ""
    for part in loc:
        if isinstance(node, dict) and part in node:
            container = str(part)
        elif not (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
            continue
        node = node[part]
        if isinstance(node, dict) and isinstance(node.get("id"), str) and container in kinds:
            label = f"{kinds[container]} '{node['id']}': "
    return label


# --- rules across fields -----------------------------------------------------------------


def semantic_problems(model: QuestionnaireFile) -> list[tuple[Loc, str]]:
    """What a schema cannot say: unique ids, known choice lists, sound conditions."""
    problems: list[tuple[Loc, str]] = []
    for name, choices in model.choices.items():
        problems += _choice_list_problems(choices, ("choices", name))

    seen_pages: dict[str, int] = {}
    #: variable -> (page index, question position, question)
    seen_vars: dict[str, tuple[int, int, Any]] = {}
    order = 0
    for p_index, page in enumerate(model.pages):
        page_loc: Loc = ("pages", p_index)
        if page.id in seen_pages:
            problems.append((page_loc + ("id",), f"duplicate page id '{page.id}'"))
        seen_pages[page.id] = p_index
        if page.show_if:
            problems += _condition_problems(
                page.show_if, page_loc + ("show_if",), seen_vars, p_index, None, model
            )
        for q_index, question in enumerate(page.questions):
            order += 1
            q_loc: Loc = page_loc + ("questions", q_index)
            if question.show_if:
                problems += _condition_problems(
                    question.show_if, q_loc + ("show_if",), seen_vars, p_index, order, model
                )
            choices = getattr(question, "choices", None)
            if isinstance(choices, str) and choices not in model.choices:
                known = ", ".join(sorted(model.choices)) or "none are defined"
                problems.append(
                    (
                        q_loc + ("choices",),
                        f"question '{question.id}': unknown choice list "
                        f"'{choices}' (known: {known})",
                    )
                )
            elif isinstance(choices, tuple):
                problems += _choice_list_problems(choices, q_loc + ("choices",))
            if (
                isinstance(question, NumberQuestion)
                and None not in (question.min, question.max)
                and question.min > question.max
            ):  # type: ignore[operator]
                problems.append((q_loc + ("min",), f"question '{question.id}': min is above max"))
            if isinstance(question, SmileyQuestion) and question.choices is not None:
                codes = [
                    c.value
                    for c in resolve_choices(question, model.choices)
                    if c.value != DONT_KNOW
                ]
                if codes != list(range(1, question.points + 1)):
                    problems.append(
                        (
                            q_loc + ("choices",),
                            f"question '{question.id}': a smiley "
                            f"with {question.points} faces needs the codes 1 to "
                            f"{question.points}, saddest first (found {codes})",
                        )
                    )
            if question.identifying and isinstance(question, TextQuestion):
                problems.append(
                    (
                        q_loc + ("identifying",),
                        f"question '{question.id}': free text is never broken down: "
                        "it cannot be identifying",
                    )
                )
            elif question.identifying and REPORT_LEVELS.index(
                question.identifying
            ) < REPORT_LEVELS.index(model.report_level):
                problems.append(
                    (
                        q_loc + ("identifying",),
                        f"question '{question.id}': identifying at {question.identifying} "
                        f"level, but the questionnaire is reported at {model.report_level} "
                        "level or above only",
                    )
                )
            if isinstance(question, MatrixQuestion):
                ids = [item.id for item in question.items]
                for i, item_id in enumerate(ids):
                    if item_id in ids[:i]:
                        problems.append(
                            (
                                q_loc + ("items", i, "id"),
                                f"question '{question.id}': duplicate item id '{item_id}'",
                            )
                        )
            for variable in variables_of(question):
                if variable in seen_vars:
                    problems.append(
                        (
                            q_loc + ("id",),
                            f"duplicate id '{variable}'"
                            + (
                                "" if variable == question.id else f" (variable of '{question.id}')"
                            ),
                        )
                    )
                else:
                    seen_vars[variable] = (p_index, order, question)
    return problems


RESERVED = {
    DONT_KNOW: 'reserved for "don\'t know": use dont_know: true',
    OTHER: 'reserved for "other": use other: true',
}


def catalogue_problems(
    model: QuestionnaireFile, catalogue: ThemesFile | None
) -> list[tuple[Loc, str]]:
    """Themes and indicators must be defined in the catalogue; count rules must fit the item."""
    if catalogue is None:
        return []
    themes = {t.id for t in catalogue.themes}
    indicators = {i.id: i for i in catalogue.indicators}
    problems: list[tuple[Loc, str]] = []
    for p_index, page in enumerate(model.pages):
        for q_index, question in enumerate(page.questions):
            q_loc: Loc = ("pages", p_index, "questions", q_index)
            holders: list[tuple[Loc, Any]] = [(q_loc, question)]
            if isinstance(question, MatrixQuestion):
                holders += [(q_loc + ("items", i), item) for i, item in enumerate(question.items)]
            options = resolve_choices(question, model.choices)
            for loc, holder in holders:
                if holder.theme and holder.theme not in themes:
                    problems.append(
                        (
                            loc + ("theme",),
                            f"'{holder.id}': unknown theme '{holder.theme}' "
                            f"(define it in {THEMES_FILE})",
                        )
                    )
                for ref in indicator_refs(holder.indicator):
                    indicator = indicators.get(ref.id)
                    if indicator is None:
                        problems.append(
                            (
                                loc + ("indicator",),
                                f"'{holder.id}': unknown indicator "
                                f"'{ref.id}' (define it in {THEMES_FILE})",
                            )
                        )
                        continue
                    rule = ref.counts or indicator.counts
                    if rule is None:
                        problems.append(
                            (
                                loc + ("indicator",),
                                f"'{holder.id}': say which answers count "
                                f"for '{ref.id}' (counts: top2, yes, [1, 2] …)",
                            )
                        )
                        continue
                    try:
                        counted_codes(question, options, rule)
                    except ValueError as exc:
                        problems.append(
                            (loc + ("indicator",), f"'{holder.id}': indicator '{ref.id}' {exc}")
                        )
    return problems


def _choice_list_problems(choices: tuple[Any, ...], loc: Loc) -> list[tuple[Loc, str]]:
    problems = []
    values = [c.value for c in choices]
    for i, value in enumerate(values):
        if value in values[:i]:
            problems.append(
                (loc + (i, "value"), f"the code {value} is used twice in this choice list")
            )
        if value in RESERVED:
            problems.append((loc + (i, "value"), f"the code {value} is {RESERVED[value]}"))
    if not choices:
        problems.append((loc, "a choice list needs at least one choice"))
    return problems


def _condition_problems(
    source: str,
    loc: Loc,
    seen: dict[str, tuple[int, int, Any]],
    page: int,
    order: int | None,
    model: QuestionnaireFile,
) -> list[tuple[Loc, str]]:
    try:
        condition = conditions.parse(source)
    except conditions.ConditionError as exc:
        return [(loc, f"show_if: {exc}")]
    later = {
        v: p for p, pg in enumerate(model.pages) for q in pg.questions for v in variables_of(q)
    }
    problems: list[tuple[Loc, str]] = []
    for name in condition.names:
        if name.name not in seen:
            if name.name in later:
                where = (
                    "on a later page"
                    if later[name.name] > page
                    else "later on the same page"
                    if order is not None
                    else "on the same page"
                )
                problems.append(
                    (
                        loc,
                        f"show_if names '{name.name}', which comes {where}: "
                        "a condition may only use answers given before",
                    )
                )
            else:
                problems.append((loc, f"show_if names unknown question '{name.name}'"))
            continue
    for compare in condition.comparisons():
        problems += _comparison_problems(compare, loc, seen, model)
    return problems


def _comparison_problems(
    compare: conditions.Compare,
    loc: Loc,
    seen: dict[str, tuple[int, int, Any]],
    model: QuestionnaireFile,
) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    for side, other in ((compare.left, compare.right), (compare.right, compare.left)):
        if not isinstance(side, conditions.Name) or side.name not in seen:
            continue
        question = seen[side.name][2]
        kind = variable_kind(question, side.name)
        if kind == "text":
            problems.append(
                (
                    loc,
                    f"'{side.name}' is free text: a condition can only test "
                    f"answered({side.name}) or unanswered({side.name})",
                )
            )
            continue
        if kind == "codes" and compare.op not in ("in", "not in"):
            problems.append(
                (
                    loc,
                    f"'{side.name}' is a multiple-choice question: write "
                    f"'3 in {side.name}', not '{compare.op}'",
                )
            )
        if kind == "number" or not isinstance(other, conditions.Literal):
            continue
        codes = {c.value for c in resolve_choices(question, model.choices)}
        values = other.value if isinstance(other.value, tuple) else (other.value,)
        for value in values:
            if value not in codes:
                problems.append(
                    (
                        loc,
                        f"'{side.name}' has no answer {value!r} "
                        f"(its codes: {', '.join(map(str, sorted(codes)))})",
                    )
                )
    return problems
