"""The XLSX workbook of one unit: overview, one sheet per theme, codebook, methods.

Built from the same suppressed frames as the CSV. A hidden figure shows "weniger als k"
(primary) or a dash (secondary); every text cell is neutralised against formulas;
sheets are right to left for Arabic and Farsi. Texts come from the catalogs (the
interface's for the labels, the questionnaires' for questions and answers).
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from survey.core.suppress import ALL
from survey.i18n.locale import RTL_LANGUAGES
from survey.i18n.texts import QuestionnaireTexts
from survey.questionnaires.loader import THEMES_FILE, cached_themes
from survey.questionnaires.model import MatrixQuestion
from survey.reports import indicators as indicators_module
from survey.reports.breakdowns import group_label
from survey.reports.outputs import neutralise

SECONDARY_MARK = "–"
#: written as the creation time, so that two builds are byte-identical
_EPOCH = datetime(2000, 1, 1)


def workbook(built, level: str, unit: str, language: str = "de") -> bytes:
    """The workbook of ``unit`` at ``level`` (deterministic: no creation time inside)."""
    from survey.questionnaires.registry import registry

    questionnaires = registry().all()
    directory = Path(current_app.config["QUESTIONNAIRE_DIR"])
    themes_path = directory / THEMES_FILE
    catalogue = _themes(themes_path) if themes_path.exists() else None
    figures = built.figures
    tidy = figures.tidy
    mine = tidy[(tidy["level"] == level) & (tidy["unit"] == unit)]
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.set_properties({"created": _EPOCH})  # byte-identical builds
    rtl = language in RTL_LANGUAGES
    bold = book.add_format({"bold": True})
    with force_locale(language):
        texts = {q: QuestionnaireTexts(qn, language, current_app.config["TRANSLATIONS_DIR"])
                 for q, qn in questionnaires.items()}  # fmt: skip
        hidden_text = _("weniger als %(k)s", k=figures.k)
        sheets: list = []

        def sheet(title: str):
            ws = book.add_worksheet(_sheet_name(title, [s.name for s in sheets]))
            if rtl:
                ws.right_to_left()
            sheets.append(ws)
            return ws

        # overview: the unit, its largest needs and strengths
        ws = sheet(_("Übersicht"))
        name = figures.names.get((level, unit), unit)
        ws.write_row(0, 0, [neutralise(built.campaign.title)], bold)
        ws.write_row(1, 0, [neutralise(name)])
        if built.preview:
            ws.write_row(2, 0, [_("Vorschau: die Befragung läuft noch.")], bold)
        row = 4
        if catalogue is not None:
            key = ("indicators", str(themes_path), themes_path.stat().st_mtime_ns)
            if key not in figures.memo:  # once per build, not once per unit
                figures.memo[key] = indicators_module.compute(figures, questionnaires, catalogue)
            found = figures.memo[key]
            ranked = indicators_module.ranking(found, level, unit)
            header = [_("Rang"), _("Art"), _("Zielgruppe"), _("Kennzahl"), _("Prozent"),
                      _("Bezirk %"), _("Gesamt %")]  # fmt: skip
            ws.write_row(row, 0, header, bold)
            for r in ranked.itertuples(index=False):
                row += 1
                kind = _("Bedarf") if r.kind == "need" else _("Stärke")
                ws.write_row(row, 0, [int(r.rank), kind, r.audience, neutralise(r.label)])
                for col, value in ((4, r.share), (5, r.district_share), (6, r.campaign_share)):
                    _number(ws, row, col, value)
        # one sheet per theme: the questions measuring it, each answer with n and %
        by_theme: dict[str, list[tuple]] = {}
        for qid, questionnaire in sorted(questionnaires.items()):
            for variable, question, kind in questionnaire.variables():
                theme = questionnaire.themes.get(variable)
                if theme and kind != "text":
                    by_theme.setdefault(theme, []).append((qid, variable, question))
        theme_labels = {t.id: t.label for t in catalogue.themes} if catalogue else {}
        for theme in sorted(
            by_theme, key=lambda t: list(theme_labels).index(t) if t in theme_labels else 999
        ):
            ws = sheet(theme_labels.get(theme, theme))
            ws.write_row(
                0, 0, [_("Zielgruppe"), _("Frage"), _("Antwort"), _("Anzahl"), _("Prozent")], bold
            )
            row = 0
            for qid, variable, question in by_theme[theme]:
                rows = mine[(mine["questionnaire"] == qid) & (mine["question"] == variable)]
                if rows.empty:
                    continue
                label = _question_label(texts[qid], question, variable)
                options = _options(texts[qid], questionnaires[qid], question)
                for r in rows.itertuples(index=False):
                    row += 1
                    answer = _answer(options, r.value)
                    ws.write_row(row, 0, [r.audience, neutralise(label), neutralise(answer)])
                    _figure(ws, row, 3, r, hidden_text)
            ws.set_column(1, 1, 60)
            ws.set_column(2, 2, 30)
        # one sheet per breakdown: the unit's groups, each answer with n and %
        found = built.breakdowns.frame if getattr(built, "breakdowns", None) else None
        if found is not None:
            here = found[(found["level"] == level) & (found["unit"] == unit)]
            titles = {"language": _("Antwortsprache"), "school_type": _("Schulform"),
                      "sozialindex": _("Sozialindex")}  # fmt: skip
            for breakdown, title in titles.items():
                rows = here[here["breakdown"] == breakdown]
                if rows.empty:
                    continue
                ws = sheet(title)
                header = [title, _("Zielgruppe"), _("Frage"), _("Antwort"), _("Anzahl"),
                          _("Prozent")]  # fmt: skip
                ws.write_row(0, 0, header, bold)
                labels: dict[str, str] = {}
                #: (questionnaire, variable) -> (question's label, answers' labels), or None
                described: dict[tuple[str, str], tuple[str, dict[str, str]] | None] = {}
                row = 0
                for r in rows.itertuples(index=False):
                    if (r.questionnaire, r.question) not in described:
                        described[(r.questionnaire, r.question)] = _described(
                            texts, questionnaires, r.questionnaire, r.question
                        )
                    found_question = described[(r.questionnaire, r.question)]
                    if found_question is None:
                        continue
                    label, options = found_question
                    if r.group not in labels:
                        labels[r.group] = group_label(breakdown, r.group, language)
                    row += 1
                    answer = _answer(options, r.value)
                    ws.write_row(row, 0, [neutralise(labels[r.group]), r.audience,
                                          neutralise(label), neutralise(answer)])  # fmt: skip
                    _figure(ws, row, 4, r, hidden_text)
                ws.set_column(0, 0, 20)
                ws.set_column(2, 2, 60)
                ws.set_column(3, 3, 30)
        # codebook and methods
        ws = sheet(_("Codebuch"))
        ws.write_row(0, 0, [_("Variable"), _("Frage"), _("Typ"), _("Werte")], bold)
        row = 0
        for qid, questionnaire in sorted(questionnaires.items()):
            for variable, question, kind in questionnaire.variables():
                row += 1
                values = "; ".join(f"{c.value}={texts[qid].option(question, c)}"
                                   for c in questionnaire.options.get(question.id, ()))  # fmt: skip
                ws.write_row(row, 0, [f"{qid}.{variable}", neutralise(_question_label(texts[qid], question, variable)),
                                      question.type if kind != "text" else "text", neutralise(values)])  # fmt: skip
        ws = sheet(_("Methoden"))
        for i, line in enumerate(_methods(figures.k)):
            ws.write_string(i, 0, line)
        ws.set_column(0, 0, 120)
    book.close()
    return out.getvalue()


def _themes(path: Path):
    return cached_themes(path)


def _methods(k: int) -> list[str]:
    return [
        _("Alle Zahlen zählen Antworten einer abgeschlossenen Befragung."),
        _(
            "Zahlen aus weniger als %(k)s Antworten werden nicht gezeigt (weniger als %(k)s).",
            k=k,
        ),
        _("Damit man sie nicht aus Summen ausrechnen kann, werden weitere Zahlen gesperrt (–)."),
        _(
            "Nach Antwortsprache, Schulform und Sozialindex aufgeschlüsselte Zahlen gehören zu "
            "denselben Summen und werden ebenso geschützt; Fragen nach Hintergrundmerkmalen "
            "werden nie nach der Antwortsprache aufgeschlüsselt."
        ),
        _(
            "Mittelwerte und Anteile ohne „weiß nicht“; Prozent beziehen sich auf alle, die die Frage beantwortet haben."
        ),
    ]


def _described(texts, questionnaires, qid: str, variable: str) -> tuple[str, dict[str, str]] | None:
    """A variable's question label and answer labels, or None when no questionnaire
    asks it (an older version's)."""
    questionnaire = questionnaires.get(qid)
    if questionnaire is None:
        return None
    question = next((q for v, q, _k in questionnaire.variables() if v == variable), None)
    if question is None:
        return None
    return (
        _question_label(texts[qid], question, variable),
        _options(texts[qid], questionnaire, question),
    )


def _answer(options: dict[str, str], value: str) -> str:
    return _("alle, die geantwortet haben") if value == ALL else options.get(value, value)


def _figure(ws, row: int, col: int, r, hidden_text: str) -> None:
    """A row's n and % from column ``col``: numbers where published, else how a hidden
    figure is shown ("weniger als k" for a primary one, "–" otherwise)."""
    if r.status == "published":
        ws.write_number(row, col, float(r.n))
        _number(ws, row, col + 1, r.percent)
    else:
        ws.write_string(row, col, hidden_text if r.status == "primary" else SECONDARY_MARK)


def _options(texts: QuestionnaireTexts, questionnaire, question) -> dict[str, str]:
    return {
        str(c.value): texts.option(question, c) for c in questionnaire.options.get(question.id, ())
    }


def _question_label(texts: QuestionnaireTexts, question, variable: str) -> str:
    if isinstance(question, MatrixQuestion):
        item = next((i for i in question.items if f"{question.id}_{i.id}" == variable), None)
        if item is not None:
            return f"{texts.label(question)} – {texts.item(question, item)}"
    return texts.label(question)


def _number(ws, row: int, col: int, value) -> None:
    if (
        value is not None
        and not (isinstance(value, float) and np.isnan(value))
        and not pd.isna(value)
    ):
        ws.write_number(row, col, float(value))


def _sheet_name(title: str, taken: list[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\']", " ", title).strip()[:31] or "-"
    name, n = base, 2
    while name.lower() in (t.lower() for t in taken):
        suffix = f" {n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    return name
