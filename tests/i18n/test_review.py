"""The mechanical review of the catalogs: each check finds what it should, the shipped
catalogs pass all of them, and ``survey check`` fails on a finding."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from survey import create_app
from survey.i18n import catalogs, review

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = catalogs.Paths(ROOT / "survey", ROOT / "questionnaires", ROOT / "translations")


def test_a_missing_or_foreign_placeholder_is_found():
    assert review.check_placeholders(Message("%(num)s Tage", "%(num)s days")) == []
    assert review.check_placeholders(Message("%(num)s Tage", "days")) == ["msgstr lacks %(num)s"]
    assert review.check_placeholders(Message("Tage", "%(n)s days")) == [
        "msgstr has %(n)s, the source has not"
    ]


def test_a_plural_form_for_one_number_may_leave_the_number_out():
    english = review.single_value_forms("(n != 1)", 2)
    assert english == {0}
    persian = review.single_value_forms("0", 1)
    assert persian == set()
    ids = ("Eine Frage.", "%(num)s Fragen.")
    assert review.check_placeholders(Message(ids, ("One question.", "%(num)s q.")), english) == []
    assert review.check_placeholders(Message(ids, ("سؤال را ببینید.",)), persian) == [
        "msgstr[0] lacks %(num)s"
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("على الرقم 116 111.", True),  # shows as "111 116"
        ("على الرقم ١١٦ ١١١.", True),
        ("على الرقم 116\u00a0111.", False),  # a no-break space keeps one number
        ("على الرقم \u2066116 111\u2069.", False),  # so does an isolate
        ("في الصف 3 أو 4", False),  # one digit group each side of a word
    ],
)
def test_digit_groups_split_by_a_plain_space_are_found(text, found):
    assert bool(review.check_digit_groups(text)) is found


def test_arabic_letters_in_farsi_are_found():
    assert review.check_farsi_letters("کودکی") == []
    found = review.check_farsi_letters("كودكي")
    assert len(found) == 2 and "ک" in found[0] + found[1] and "ی" in found[0] + found[1]


def test_the_shipped_catalogs_pass_every_check():
    assert review.review(SHIPPED, ROOT) == []


def test_the_shipped_catalogs_pass_msgfmt():
    found = review.msgfmt(SHIPPED, ROOT)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("msgfmt is missing in CI (.ci/apt-packages lists gettext)")
        pytest.skip("msgfmt not installed (apt-get install gettext)")
    assert found == []


@pytest.fixture
def broken(tmp_path) -> catalogs.Paths:
    """A copy of the catalogs with one finding of each kind in Farsi."""
    shutil.copytree(ROOT / "translations", tmp_path / "translations")
    paths = catalogs.Paths(ROOT / "survey", ROOT / "questionnaires", tmp_path / "translations")
    po = paths.po("fa", "questionnaires")
    with open(po, "rb") as fh:
        catalog = read_po(fh, locale="fa")
    scale = [m for m in catalog if m.context and ":choices:" in m.context]
    shared = next(
        m
        for m in scale
        if any(
            o.id == m.id
            and o.context != m.context
            and o.context.split(":", 1)[1] == m.context.split(":", 1)[1]
            for o in scale
        )
    )
    shared.string = "یک ترجمهٔ دیگر"
    title = next(m for m in catalog if m.context == "families")
    title.string = "كودك 116 111"
    catalogs._write(po, catalog)
    return paths


def test_each_kind_of_finding_is_reported_with_file_and_line(broken):
    found = review.review(broken, broken.translations.parent)
    text = "\n".join(found)
    assert "translations/fa/LC_MESSAGES/questionnaires.po:" in text
    assert "digit groups" in text
    assert "Arabic ك (U+0643) in Farsi" in text
    assert "the shared scale" in text and "differently" in text


def test_survey_check_fails_on_a_finding(broken):
    app = create_app(
        {
            "DATABASE_URL": "sqlite://",
            "SECRET_KEY": "x",
            "TRANSLATIONS_DIR": str(broken.translations),
        }
    )
    with app.app_context():  # as under the `survey` command
        result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert "digit groups" in result.stdout
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})
    with app.app_context():
        assert app.test_cli_runner().invoke(args=["check"]).exit_code == 0
