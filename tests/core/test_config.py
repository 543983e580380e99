"""Defaults, instance/config.py and SURVEY_* variables, in that order."""

from __future__ import annotations

import stat

import pytest

from survey import create_app
from survey.config import ConfigError


def make(tmp_path, monkeypatch, **env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return create_app(instance_path=str(tmp_path))


def test_defaults(tmp_path, monkeypatch):
    app = make(tmp_path, monkeypatch)
    assert app.config["MIN_GROUP_SIZE"] == 5
    assert app.config["DRAFT_EXPIRY_DAYS"] == 30
    assert app.config["DATE_GRANULARITY"] == "day"
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path}/survey.db"


def test_environment_overrides_instance_file(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("MIN_GROUP_SIZE = 8\nDRAFT_EXPIRY_DAYS = 3\n")
    app = make(
        tmp_path,
        monkeypatch,
        SURVEY_MIN_GROUP_SIZE="6",
        SURVEY_DATE_GRANULARITY="week",
        SURVEY_DATABASE_URL="sqlite:///elsewhere.db",
    )
    assert app.config["MIN_GROUP_SIZE"] == 6  # environment wins
    assert app.config["DRAFT_EXPIRY_DAYS"] == 3  # instance file over default
    assert app.config["DATE_GRANULARITY"] == "week"
    assert app.config["DATABASE_URL"] == "sqlite:///elsewhere.db"
    assert app.permanent_session_lifetime.days == 3


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("SURVEY_MIN_GROUP_SIZE", "2", "may not be below 3"),
        ("SURVEY_DATE_GRANULARITY", '"hour"', "use 'day' or 'week'"),
        ("SURVEY_DRAFT_EXPIRY_DAYS", "0", "at least 1"),
    ],
)
def test_settings_that_would_hurt_anonymity_are_refused(tmp_path, monkeypatch, key, value, message):
    with pytest.raises(ConfigError, match=message):
        make(tmp_path, monkeypatch, **{key: value})


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    first = make(tmp_path, monkeypatch).config["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert key_file.exists() and len(first) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert make(tmp_path, monkeypatch).config["SECRET_KEY"] == first
