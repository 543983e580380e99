"""The ``survey`` command as a newcomer meets it: one clear line instead of a traceback."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from survey.cli import cli
from survey.core.logging import plain_log_handler
from survey.distribution.services import DEMO_SCHOOLS

NOT_UPGRADED = (
    "Error: the database has no schema yet, the code needs revision {head}: run `survey db upgrade`"
)


@pytest.fixture
def run(tmp_path: Path):
    """Run ``survey ARGS`` as a shell would, with its own instance folder (and database)."""

    def invoke(*args: str, database: str | None = None):
        env = {"SURVEY_INSTANCE_PATH": str(tmp_path / "instance"), "SURVEY_DATABASE_URL": database}
        return CliRunner(env=env).invoke(cli, list(args), prog_name="survey")

    return invoke


def _head() -> str:
    from survey.core import migrate

    return str(migrate.head())


def test_purge_on_a_database_never_upgraded_names_the_command(run):
    result = run("purge")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [NOT_UPGRADED.format(head=_head())]


def test_demo_on_another_database_never_upgraded_refuses(run, tmp_path):
    result = run("demo", database=f"sqlite:///{tmp_path / 'shared.db'}")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [NOT_UPGRADED.format(head=_head())]
    assert result.stdout == ""


def test_serve_on_a_database_never_upgraded_refuses_before_listening(run, tmp_path):
    result = run("serve", "--port", "1", database=f"sqlite:///{tmp_path / 'shared.db'}")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [NOT_UPGRADED.format(head=_head())]


def test_demo_creates_the_embedded_database_and_prints_links_for_the_port(run, tmp_path):
    result = run("demo", "--port", "5055")
    assert result.exit_code == 0, result.output
    db_file = tmp_path / "instance" / "survey.db"
    assert (
        result.stderr.splitlines()[0]
        == f"database created at revision {_head()}: sqlite:///{db_file}"
    )
    links = result.stdout.splitlines()
    assert len(links) == len(DEMO_SCHOOLS) * 4  # every demo school x four audiences
    assert all(link.startswith("http://127.0.0.1:5055/s/") for link in links)
    again = run("purge")  # the schema is there now
    assert again.exit_code == 0, again.output


def test_demo_for_a_server_on_every_interface_prints_an_address_a_phone_can_open(run):
    result = run("demo", "--host", "0.0.0.0", "--port", "5056")
    assert result.exit_code == 0, result.output
    for link in result.stdout.splitlines():
        assert link.startswith("http://") and ":5056/s/" in link
        assert "0.0.0.0" not in link


def test_upgrade_into_a_folder_that_does_not_exist(run, tmp_path):
    missing = tmp_path / "no" / "such" / "folder"
    result = run("db", "upgrade", database=f"sqlite:///{missing / 'survey.db'}")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: cannot open the database sqlite:///{missing / 'survey.db'}: "
        f"the folder {missing} does not exist"
    ]


def test_a_database_server_that_does_not_answer(run):
    url = "postgresql+psycopg://someone:secret@127.0.0.1:1/nothing"
    result = run("db", "upgrade", database=url)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(
        "Error: cannot open the database postgresql+psycopg://someone:***@127.0.0.1:1/nothing: "
    )
    assert "secret" not in result.output


def test_a_setting_that_weakens_anonymity_is_one_line(run, monkeypatch):
    monkeypatch.setenv("SURVEY_MIN_GROUP_SIZE", "2")
    result = run("purge")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: MIN_GROUP_SIZE is 2; it may not be below 3")


def test_help_shows_only_what_means_something_here(run):
    result = run("--help")
    assert result.exit_code == 0
    for flask_only in ("--env-file", "--app", "python-dotenv", "--debug"):
        assert flask_only not in result.output
    assert "survey db upgrade" in result.output

    serve = run("serve", "--help").output
    assert "Address to listen on" in serve and "Port to listen on" in serve

    init = run("i18n", "init", "--help").output
    assert "``" not in init


def test_plain_logs_when_the_output_is_not_a_terminal():
    stream = io.StringIO()  # not a terminal
    logger = logging.getLogger("test.plain")
    logger.propagate = False
    handler = plain_log_handler(stream)
    logger.addHandler(handler)
    try:
        logger.warning("\x1b[31m\x1b[1mWARNING: development server\x1b[0m")
    finally:
        logger.removeHandler(handler)
    assert "\x1b" not in stream.getvalue()
    assert "WARNING: development server" in stream.getvalue()


def test_a_web_worker_does_not_load_the_printing_and_report_libraries(tmp_path: Path):
    """Their commands are imported when used: create_app stays lean (worker memory)."""
    import subprocess
    import sys

    code = (
        "import sys; from survey import create_app; "
        f"create_app({{'DATABASE_URL': 'sqlite:///{tmp_path}/x.db', 'SECRET_KEY': 'x'}}, "
        f"instance_path={str(tmp_path)!r}); "
        "print(sorted(m for m in ('pandas', 'numpy', 'scipy', 'reportlab', 'PIL') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_lazy_commands_show_their_help_and_options(run):
    result = run("report", "--help")
    assert result.exit_code == 0
    assert "--campaign" in result.output and "--level" in result.output
    listing = run("--help")
    assert "print-questionnaire" in listing.output and "report" in listing.output
