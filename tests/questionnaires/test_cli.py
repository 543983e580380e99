"""``survey check``: exit codes and one ``file:line: problem`` line per error."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask

from survey.config import Defaults
from survey.questionnaires.cli import check_command

SHIPPED = Path(Defaults.QUESTIONNAIRE_DIR)

GOOD = textwrap.dedent(
    """\
    id: good
    audience: staff
    title: T
    intro: I
    pages:
      - id: p
        questions:
          - {id: a, type: yesno, label: A}
          - {id: b, type: number, label: B, min: 0, max: 9}
    """
)

#: Two problems: min above max (line 11) and a condition on an unknown question (line 16).
BROKEN = textwrap.dedent(
    """\
    id: broken
    audience: families
    title: T
    intro: I
    pages:
      - id: p
        questions:
          - id: n
            type: number
            label: N
            min: 10
            max: 2
          - id: b
            type: yesno
            label: B
            show_if: nope == 1
    """
)

#: One problem: bad YAML (an unclosed bracket, found on line 3).
BAD_YAML = "id: bad\npages: [\n"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def broken_lines(path: Path) -> list[str]:
    return [
        f"{path}:11: question 'n': min is above max",
        f"{path}:16: show_if names unknown question 'nope'",
    ]


def check(app: Flask, *args: str | Path) -> Result:
    return app.test_cli_runner().invoke(args=["check", *map(str, args)])


def test_shipped_folder_is_ok(app: Flask):
    result = check(app, SHIPPED)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    themes_line, *ok_lines = result.stderr.splitlines()
    assert themes_line == f"themes: {SHIPPED / 'themes.yaml'}"
    assert len(ok_lines) == 4
    for name in ("children", "families", "partners", "staff"):
        assert any(
            line.startswith(f"ok  {SHIPPED / name}.yaml: {name} ({name})") for line in ok_lines
        )
    assert all("version " in line for line in ok_lines)


def test_without_arguments_checks_the_configured_folder(app: Flask, tmp_path: Path):
    with app.app_context():
        assert check(app).exit_code == 0  # the shipped folder by default
        broken = write(tmp_path, "broken.yaml", BROKEN)
        app.config["QUESTIONNAIRE_DIR"] = str(tmp_path)
        result = check(app)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == broken_lines(broken)


def test_broken_folder(app: Flask, tmp_path: Path):
    write(tmp_path, "a_good.yaml", GOOD)
    broken = write(tmp_path, "b_broken.yaml", BROKEN)
    bad = write(tmp_path, "c_bad.yaml", BAD_YAML)
    write(tmp_path, "notes.md", "not: [a questionnaire")
    result = check(app, tmp_path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        *broken_lines(broken),
        f"{bad}:3: bad YAML: expected the node content, but found '<stream end>'",
    ]
    assert "3 problem(s) in 3 file(s)" in result.stderr
    assert "ok  " not in result.output


def test_every_stdout_line_is_file_line_problem(app: Flask, tmp_path: Path):
    write(tmp_path, "b_broken.yaml", BROKEN)
    write(tmp_path, "c_bad.yaml", BAD_YAML)
    result = check(app, tmp_path)
    for line in result.stdout.splitlines():
        file, number, message = line.split(":", 2)
        assert Path(file).parent == tmp_path
        assert int(number) >= 1
        assert message.startswith(" ") and message.strip()


def test_single_good_file(app: Flask, tmp_path: Path):
    good = write(tmp_path, "good.yaml", GOOD)
    result = check(app, good)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    themes_line, ok_line = result.stderr.splitlines()
    assert themes_line == f"themes: {SHIPPED / 'themes.yaml'}"  # none beside it: the shipped one
    assert ok_line.startswith(f"ok  {good}: good (staff), 1 pages, 2 variables, version ")


def test_single_broken_file_among_a_good_folder(app: Flask, tmp_path: Path):
    broken = write(tmp_path / "other", "broken.yaml", BROKEN)
    result = check(app, broken)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == broken_lines(broken)
    assert "2 problem(s) in 1 file(s)" in result.stderr

    result = check(app, SHIPPED, broken)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == broken_lines(broken)
    assert "2 problem(s) in 5 file(s)" in result.stderr


def test_files_and_folders_together(app: Flask, tmp_path: Path):
    good = write(tmp_path / "one", "good.yaml", GOOD)
    result = check(app, SHIPPED, good)
    assert result.exit_code == 0, result.output
    assert len(result.stderr.splitlines()) == 1 + 5  # one themes file, five questionnaires


def test_same_id_in_two_files(app: Flask, tmp_path: Path):
    first = write(tmp_path, "a.yaml", GOOD)
    second = write(tmp_path, "b.yaml", GOOD.replace("title: T", "title: U"))
    result = check(app, tmp_path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{second}:1: questionnaire id 'good' is also used by {first}"
    ]


def test_folder_without_questionnaires(app: Flask, tmp_path: Path):
    write(tmp_path, "README.md", "nothing here")
    result = check(app, tmp_path)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "no questionnaire files found" in result.stderr


def test_missing_path_is_a_usage_error(app: Flask, tmp_path: Path):
    result = check(app, tmp_path / "missing.yaml")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


@pytest.mark.parametrize("broken", [False, True], ids=["good", "broken"])
def test_command_object_directly(app: Flask, tmp_path: Path, broken: bool):
    path = write(tmp_path, "q.yaml", BROKEN if broken else GOOD)
    assert app.cli.get_command(None, "check") is check_command  # type: ignore[arg-type]
    result = app.test_cli_runner().invoke(check_command, [str(path)])
    assert result.exit_code == (1 if broken else 0)
    assert result.stdout.splitlines() == (broken_lines(path) if broken else [])


def test_a_file_outside_the_folder_is_checked_against_the_shipped_themes(app: Flask, tmp_path):
    """A copy of a shipped instrument elsewhere: no false "unknown theme" errors."""
    copy = tmp_path / "families.yaml"
    copy.write_text((SHIPPED / "families.yaml").read_text("utf-8"), "utf-8")
    result = check(app, copy)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == f"themes: {SHIPPED / 'themes.yaml'}"


def test_themes_option_names_the_catalogue(app: Flask, tmp_path: Path):
    copy = tmp_path / "families.yaml"
    copy.write_text((SHIPPED / "families.yaml").read_text("utf-8"), "utf-8")
    other = write(
        tmp_path / "elsewhere",
        "themes.yaml",
        "themes:\n  - {id: other, label: Anderes}\nindicators: []\n",
    )
    result = check(app, "--themes", other, copy)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"themes: {other}"
    unknown = [line for line in result.stdout.splitlines() if "unknown theme" in line]
    assert unknown and all(line.startswith(f"{copy}:") for line in unknown)
