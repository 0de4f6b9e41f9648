"""The lock files say what every install gets (`make run`, `make test`, CI).

A dependency added to pyproject.toml without `make lock` would never be installed from
a fresh clone, or would be installed in a release nobody tested: these tests say so
before CI does.
"""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^ \\]+)", re.MULTILINE)


def pins(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text()
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("requirements.lock", PROJECT["dependencies"]),
        (
            "requirements-dev.lock",
            PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"],
        ),
    ],
)
def test_lock_pins_every_dependency_in_a_release_pyproject_allows(lock, requirements):
    pinned = pins(lock)
    for line in requirements:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{name} is not in {lock}: run `make lock`"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"{lock} pins {name}=={pinned[name]}, pyproject.toml asks {requirement}: "
            "run `make lock`"
        )


def test_lock_hashes_every_release():
    for lock in ("requirements.lock", "requirements-dev.lock"):
        blocks = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / lock).read_text())
        for block in blocks:
            if PIN.match(block):
                assert "--hash=sha256:" in block, f"{lock}: no hash for {block.split()[0]}"


def test_app_and_dev_locks_agree_on_what_they_share():
    app, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    differ = {
        name: (app[name], dev[name]) for name in app.keys() & dev.keys() if app[name] != dev[name]
    }
    assert differ == {}, "run `make lock`"
    assert app.keys() <= dev.keys(), "the dev lock must hold everything the app needs"
