"""The gettext workflow: extraction, update, fuzzy, status, compile, plural forms."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from survey.i18n import catalogs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workspace(tmp_path) -> catalogs.Paths:
    """A copy of the questionnaires and catalogs, so a test may change them."""
    shutil.copytree(ROOT / "questionnaires", tmp_path / "questionnaires")
    shutil.copytree(ROOT / "translations", tmp_path / "translations")
    return catalogs.Paths(ROOT / "survey", tmp_path / "questionnaires", tmp_path / "translations")


def test_extracting_twice_yields_the_same_catalog(workspace):
    catalogs.extract(workspace)
    first = {d: workspace.template(d).read_bytes() for d in catalogs.DOMAINS}
    catalogs.extract(workspace)
    assert {d: workspace.template(d).read_bytes() for d in catalogs.DOMAINS} == first


def test_the_committed_templates_are_current():
    paths = catalogs.Paths(ROOT / "survey", ROOT / "questionnaires", ROOT / "translations")
    assert catalogs.stale_templates(paths) == [], "run: survey i18n update"


def test_the_template_check_ignores_the_header_but_not_the_messages(workspace):
    """A new Babel release rewrites "Generated-By"; that must not make a template stale."""
    catalogs.extract(workspace)
    template = workspace.template("messages")
    text = template.read_text(encoding="utf-8")
    assert "Generated-By: Babel" in text
    template.write_text(
        re.sub(r"Generated-By: Babel [^\\]+", "Generated-By: Babel 99.1.0", text), "utf-8"
    )
    assert catalogs.stale_templates(workspace) == []

    moved = re.sub(
        r"^(#: survey/\S+:)(\d+)", lambda m: m[1] + str(int(m[2]) + 1), text, count=1, flags=re.M
    )
    assert moved != text
    template.write_text(moved, "utf-8")
    assert catalogs.stale_templates(workspace) == ["messages"]


def test_questionnaire_texts_carry_their_context(workspace):
    catalogs.extract(workspace)
    with open(workspace.template("questionnaires"), "rb") as fh:
        template = read_po(fh)
    contexts = {m.context for m in template if m.id}
    assert "families" in contexts  # title and intro
    assert "families:choices:agree4" in contexts  # a shared list, translated once
    assert any(c.startswith("children:") for c in contexts)
    agree = template.get("eher ja", "families:choices:agree4")
    assert agree is not None and agree.auto_comments  # translators see what it is


def test_a_changed_label_shows_up_as_fuzzy(workspace):
    before = catalogs.coverage(workspace, "en")["families"]
    source = workspace.questionnaires / "families.yaml"
    text = source.read_text(encoding="utf-8")
    old = "Ich fühle mich an der Schule meines Kindes willkommen."
    assert old in text
    source.write_text(
        text.replace(old, "Ich fühle mich an der Schule meines Kindes sehr willkommen."), "utf-8"
    )
    catalogs.extract(workspace)
    catalogs.update(workspace)
    after = catalogs.coverage(workspace, "en")["families"]
    assert after.fuzzy == before.fuzzy + 1
    assert after.translated == before.translated - 1


def test_compile_builds_only_stale_catalogs(workspace):
    for old in workspace.translations.glob("*/LC_MESSAGES/*.mo"):
        old.unlink()
    written = catalogs.compile_catalogs(workspace)
    assert len(written) == 2 * len(catalogs.LANGUAGES)
    assert {p.suffix for p in written} == {".mo"}
    assert catalogs.compile_catalogs(workspace) == []  # nothing stale any more


def test_init_starts_a_language_with_its_plural_forms(workspace):
    shutil.rmtree(workspace.translations / "pl")
    catalogs.init(workspace, "pl")
    with open(workspace.po("pl", "messages"), "rb") as fh:
        po = read_po(fh, locale="pl")
    assert po.num_plurals == 3
    assert catalogs.REVIEW_NOTE in workspace.po("pl", "messages").read_text(encoding="utf-8")


@pytest.mark.parametrize("language", catalogs.LANGUAGES)
def test_every_catalog_asks_for_a_native_speakers_review(language):
    for domain in catalogs.DOMAINS:
        text = (ROOT / "translations" / language / "LC_MESSAGES" / f"{domain}.po").read_text(
            "utf-8"
        )
        assert catalogs.REVIEW_NOTE in text


@pytest.mark.parametrize("app", [str(ROOT / "questionnaires")], indirect=True)
def test_status_command_prints_every_language_and_part(app):
    result = app.test_cli_runner().invoke(args=["i18n", "status"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["language", "part", "translated", "fuzzy", "missing", "share"]
    parts = {tuple(line.split()[:2]) for line in lines[1:]}
    for language in catalogs.LANGUAGES:
        assert {(language, p) for p in ("ui", "families", "staff", "children", "partners")} <= parts
