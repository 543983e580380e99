"""A Babel extractor for questionnaire YAML files.

Every text a respondent reads becomes a message with a context naming the
questionnaire and the question (``families:welcome``), so that the same German
words in two places can be translated differently, and translators see where a
text belongs. Named choice lists are translated once (``families:choices:agree4``).

Registered as the Babel extractor ``survey_yaml``, so ``pybabel extract`` and
Weblate can use it too; ``survey i18n extract`` calls it directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

Message = tuple[int, str, tuple[str, str], list[str]]


def extract_questionnaire(fileobj, keywords, comment_tags, options) -> Iterator[Message]:
    try:
        data = YAML(typ="rt").load(fileobj)
    except YAMLError:
        return  # a broken file: `survey check` names its line
    if not isinstance(data, dict) or "pages" not in data:
        return  # not a questionnaire (themes.yaml)
    qid = str(data.get("id", "?"))
    yield from _texts(data, qid, ("title", "intro"))
    for name, choices in (data.get("choices") or {}).items():
        yield from _choices(choices, f"{qid}:choices:{name}", f"choice list {name}")
    for page in data.get("pages") or []:
        yield from _texts(page, f"{qid}:{page.get('id')}", ("title", "intro"))
        for question in page.get("questions") or []:
            context = f"{qid}:{question.get('id')}"
            note = question.get("translator_note")
            comments = [f"{question.get('type')} question {question.get('id')}"]
            yield from _texts(question, context, ("label", "help"), comments, note)
            if isinstance(question.get("choices"), list):
                yield from _choices(question["choices"], context, comments[0], note)
            for item in question.get("items") or []:
                yield from _texts(
                    item,
                    f"{context}_{item.get('id')}",
                    ("label",),
                    [f"item of the matrix {question.get('id')}"],
                    item.get("translator_note"),
                )
            if question.get("type") == "number" and question.get("unit"):
                yield from _texts(question, context, ("unit",), ["unit after a number"], note)


def _texts(node: Any, context: str, keys, comments=None, note=None) -> Iterator[Message]:
    for key in keys:
        text = node.get(key)
        if isinstance(text, str) and text.strip():
            line = node.lc.key(key)[0] + 1 if hasattr(node, "lc") else 0
            extra = [f"translators: {note}"] if note else []
            yield line, "pgettext", (context, text.strip()), [*(comments or []), *extra]


def _choices(choices: Any, context: str, where: str, note=None) -> Iterator[Message]:
    for index, choice in enumerate(choices or []):
        if isinstance(choice, dict) and isinstance(choice.get("label"), str):
            line = choices.lc.item(index)[0] + 1 if hasattr(choices, "lc") else 0
            own = choice.get("translator_note")
            extra = [f"translators: {n}" for n in (note, own) if n]
            yield (
                line,
                "pgettext",
                (context, choice["label"].strip()),
                [f"answer {choice.get('value')} of {where}", *extra],
            )
