"""Shared fixtures. ../shared is read at run time and never copied into the repo."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BAOKU_SHARED", REPO.parent / "shared"))


def require_shared(*parts: str) -> Path:
    """The path under ../shared; a failure in CI if it is missing, a skip elsewhere."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"../shared data missing: {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return require_shared()
