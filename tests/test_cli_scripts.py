"""scripts/test and .ci/run: exit codes propagate, and "no tests collected" is a failure.

The real scripts run under bash in a copy of the repository layout whose .venv tools are
stand-ins that log their arguments and exit with a chosen status.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TOOL = '#!/bin/sh\necho "$(basename "$0") $*" >> "$LOG"\nexit ${RC_%s:-0}\n'


@pytest.fixture
def fake_repo(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    (tmp_path / ".ci").mkdir()
    shutil.copy(REPO / "scripts" / "test", tmp_path / "scripts" / "test")
    shutil.copy(REPO / ".ci" / "run", tmp_path / ".ci" / "run")
    tools = tmp_path / ".venv" / "bin"
    tools.mkdir(parents=True)
    stubs = tmp_path / "stubs"  # apt-get and sudo, in case chromium is missing here
    stubs.mkdir()
    for folder, name in [(tools, "python"), (tools, "ruff"), (tools, "pytest")]:
        (folder / name).write_text(TOOL % name.upper())
    for name in ("apt-get", "sudo"):
        (stubs / name).write_text(TOOL % "APT")
    for stub in [*tools.iterdir(), *stubs.iterdir()]:
        stub.chmod(0o755)
    return tmp_path


def _run(repo: Path, script: str, **rcs: int) -> tuple[int, list[str]]:
    log = repo / "calls.log"
    log.unlink(missing_ok=True)
    env = {**os.environ, "LOG": str(log), "PATH": f"{repo / 'stubs'}:{os.environ['PATH']}"}
    env.update({f"RC_{k.upper()}": str(v) for k, v in rcs.items()})
    done = subprocess.run(["bash", str(repo / script)], env=env, capture_output=True, timeout=60)
    calls = log.read_text().splitlines() if log.exists() else []
    return done.returncode, calls


def test_scripts_test_runs_lint_then_pytest_on_two_workers(fake_repo: Path) -> None:
    status, calls = _run(fake_repo, "scripts/test")
    assert status == 0
    assert calls[0].startswith("python -m pip install") and ".[test]" in calls[0]
    tools = [c for c in calls if not c.startswith(("apt-get", "sudo"))]
    assert tools[1:] == ["ruff check .", "ruff format --check .", "pytest -n 2 tests/"]


@pytest.mark.parametrize(("script",), [("scripts/test",), (".ci/run",)])
def test_failures_propagate_and_no_tests_is_a_failure(fake_repo: Path, script: str) -> None:
    assert _run(fake_repo, script, pytest=1)[0] == 1
    assert _run(fake_repo, script, pytest=5)[0] == 1  # pytest: "no tests were collected"
    assert _run(fake_repo, script, pytest=2)[0] == 2
    status, calls = _run(fake_repo, script, ruff=1)
    assert status == 1
    assert calls[-1] == "ruff check ."  # a lint failure stops before the tests
