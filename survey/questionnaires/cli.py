"""``survey check``: validate questionnaire files, one ``file:line: problem`` per error."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from survey.config import Defaults
from survey.questionnaires.loader import load_paths


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def check_command(paths: tuple[Path, ...]) -> None:
    """Validate questionnaire files (default: every file in questionnaires/)."""
    files: list[Path] = []
    for path in paths or (Path(_questionnaire_dir()),):
        files.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    if not files:
        click.echo("no questionnaire files found", err=True)
        sys.exit(1)
    found, problems = load_paths(files)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) in {len(files)} file(s)", err=True)
        sys.exit(1)
    for questionnaire in found.values():
        count = sum(1 for _ in questionnaire.variables())
        click.echo(
            f"ok  {questionnaire.path}: {questionnaire.id} ({questionnaire.audience}), "
            f"{len(questionnaire.pages)} pages, {count} variables, version {questionnaire.version}",
            err=True,
        )


def _questionnaire_dir() -> str:
    from flask import current_app

    try:
        return current_app.config["QUESTIONNAIRE_DIR"]
    except RuntimeError:  # outside an app: the default folder
        return Defaults.QUESTIONNAIRE_DIR


@click.command("schema")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path))
def schema_command(output: Path | None) -> None:
    """Print (or write) the JSON Schema of the questionnaire format."""
    from survey.questionnaires.schema import json_schema_text

    if output:
        output.write_text(json_schema_text(), encoding="utf-8")
    else:
        click.echo(json_schema_text(), nl=False)
