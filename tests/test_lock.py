"""The lock file and pyproject.toml agree: what CI installs is what the project declares."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.markers import Marker, default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def locked() -> dict[str, list[tuple[Version, str | None]]]:
    """name -> [(version, marker)]; a package may be pinned per Python version."""
    pins: dict[str, list[tuple[Version, str | None]]] = {}
    for line in (ROOT / "requirements.lock").read_text("utf-8").splitlines():
        found = PIN.match(line)
        if found:
            name, version, marker = found.groups()
            pins.setdefault(canonicalize_name(name), []).append((Version(version), marker))
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    extras = project.get("optional-dependencies", {})
    return [Requirement(r) for r in project["dependencies"] + sum(extras.values(), [])]


def test_the_lock_pins_every_package_with_hashes():
    text = (ROOT / "requirements.lock").read_text("utf-8")
    assert "--hash=sha256:" in text
    pins = locked()
    assert len(pins) > 20
    for line in text.splitlines():
        if "==" in line:
            assert PIN.match(line), f"not an exact pin: {line}"


def test_every_declared_package_is_locked_within_its_range():
    pins = locked()
    here = default_environment()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is declared but not locked: run `make lock`"
        for version, _marker in pins[name]:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"{name}=={version} is locked, but pyproject.toml asks for {requirement}: "
                "run `make lock`"
            )
        applicable = [v for v, m in pins[name] if m is None or Marker(m).evaluate(here)]
        assert applicable, f"{name}: no pin applies to this Python"
