"""``survey check``: validate questionnaire files, one ``file:line: problem`` per error."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app, has_app_context
from flask.cli import with_appcontext

from survey.config import Defaults
from survey.questionnaires.loader import (
    THEMES_FILE,
    ProblemList,
    load_paths,
    load_themes,
    questionnaire_files,
    themes_for,
)


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--themes",
    "themes_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The themes file to check against (default: themes.yaml beside each file, "
    "else the one in the questionnaires folder).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Treat warnings (stale templates, missing translations) as errors.",
)
def check_command(paths: tuple[Path, ...], themes_file: Path | None, strict: bool) -> None:
    """Validate questionnaire files (default: every file in questionnaires/)."""
    files: list[Path] = []
    for path in paths or (Path(_questionnaire_dir()),):
        files.extend(questionnaire_files(path) if path.is_dir() else [path])
    themes = [f for f in files if f.name == THEMES_FILE]
    files = [f for f in files if f.name != THEMES_FILE]
    if not files and not themes:
        click.echo("no questionnaire files found", err=True)
        sys.exit(1)
    shipped_themes = Path(_questionnaire_dir()) / THEMES_FILE
    for used in sorted({themes_for(f, themes_file, shipped_themes) for f in files}):
        click.echo(f"themes: {used}", err=True)
    found, problems = load_paths(files, themes_file, shipped_themes)
    for path in themes:  # named explicitly: check it on its own too
        try:
            load_themes(path)
        except ProblemList as exc:
            problems.extend(p for p in exc.problems if str(p) not in map(str, problems))
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
    if not paths:  # the shipped folder: are its translations complete and sound?
        warnings = _language_warnings(list(found))
        for warning in warnings:
            click.echo(f"warning: {warning}", err=True)
        catalog_problems = _catalog_problems()
        for problem in catalog_problems:
            click.echo(problem)
        if catalog_problems:
            click.echo(f"{len(catalog_problems)} problem(s) in the translations", err=True)
            sys.exit(1)
        if warnings and strict:
            click.echo(f"{len(warnings)} warning(s), and --strict was given", err=True)
            sys.exit(1)


def _app() -> Flask | None:
    """The app, when the command runs inside one (``survey check``); None when called bare."""
    return current_app._get_current_object() if has_app_context() else None  # type: ignore[attr-defined]


def _language_warnings(questionnaire_ids: list[str]) -> list[str]:
    from survey.i18n import catalogs

    app = _app()
    if app is None:
        return []
    threshold = float(app.config["LANGUAGE_MIN_COVERAGE"])
    return catalogs.language_warnings(catalogs.paths_for(app), questionnaire_ids, threshold)


def _catalog_problems() -> list[str]:
    """Placeholders, msgfmt, digit groups in right-to-left text, Farsi letters, shared scales."""
    from survey.config import PROJECT_ROOT
    from survey.i18n import catalogs, review

    app = _app()
    if app is None:
        return []
    paths = catalogs.paths_for(app)
    problems = review.review(paths, PROJECT_ROOT)
    checked = review.msgfmt(paths, PROJECT_ROOT)
    if checked is None:
        click.echo("warning: msgfmt not found (apt-get install gettext): not run", err=True)
    return problems + (checked or [])


def _questionnaire_dir() -> str:
    app = _app()
    return app.config["QUESTIONNAIRE_DIR"] if app else Defaults.QUESTIONNAIRE_DIR


@click.command("schema")
@click.option(
    "--output-dir",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write questionnaire.schema.json and themes.schema.json there (e.g. docs/).",
)
def schema_command(output_dir: Path | None) -> None:
    """Print (or write) the JSON Schemas of the questionnaire and themes files."""
    from survey.questionnaires.schema import SCHEMAS, json_schema_text

    if output_dir is None:
        click.echo(json_schema_text(), nl=False)
        return
    output_dir.mkdir(parents=True, exist_ok=True)
    for name in SCHEMAS:
        (output_dir / name).write_text(json_schema_text(name), encoding="utf-8")
        click.echo(f"wrote {output_dir / name}", err=True)


@click.command("codebook")
@click.argument("questionnaire_id", metavar="QUESTIONNAIRE")
@click.option("--format", "fmt", type=click.Choice(["md", "csv"]), default="md", show_default=True)
@with_appcontext
def codebook_command(questionnaire_id: str, fmt: str) -> None:
    """Print the codebook of a questionnaire: one row per variable."""
    from survey.questionnaires.codebook import as_csv, as_markdown
    from survey.questionnaires.registry import registry

    questionnaire = registry().get(questionnaire_id)
    if questionnaire is None:
        known = ", ".join(sorted(registry().all()))
        click.echo(f"unknown questionnaire '{questionnaire_id}' (known: {known})", err=True)
        sys.exit(1)
    click.echo(as_csv(questionnaire) if fmt == "csv" else as_markdown(questionnaire), nl=False)
