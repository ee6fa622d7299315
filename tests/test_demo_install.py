"""`pip install .` (not editable) into a fresh virtualenv, then `baoku --data DIR demo --no-serve`
from another directory: the demo pages travel as package data.

Offline and quick: the package is built without build isolation (setuptools and wheel come
with the test extras) and installed without dependencies; the fresh venv sees the
dependencies already installed in this interpreter through a .pth file, but not this
checkout, so it runs what was installed."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from indexer.config import demo_pages

REPO = Path(__file__).resolve().parent.parent


def test_demo_pages_are_package_data():
    pages = demo_pages()
    assert pages.parent.parent == REPO / "indexer"  # indexer/data/demo, inside the package
    assert len(list((pages / "html").glob("*/*/content_*.htm"))) == 36
    assert (pages / "index.html").is_file()


def test_non_editable_install_runs_the_demo_from_elsewhere(tmp_path: Path):
    source = tmp_path / "source"  # only what the package is built from: no corpus/, no tests/
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for package in ("indexer", "webui"):
        shutil.copytree(
            REPO / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "baoku-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "install", "--quiet", "--no-deps", "--no-build-isolation", str(source)],
        check=True,
        cwd=tmp_path,
    )
    shutil.rmtree(source)  # the installed copy must not need its source

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    data = tmp_path / "data"
    run = subprocess.run(
        [venv / "bin" / "baoku", "--data", str(data), "demo", "--no-serve"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "demo: 36 articles" in run.stdout
    where = subprocess.run(
        [python, "-c", "import indexer; print(indexer.__file__)"],
        cwd=elsewhere,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert where.startswith(site), where  # the installed package ran, not this checkout
    found = subprocess.run(
        [venv / "bin" / "baoku", "--data", str(data), "search", "植树", "--json"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
    )
    assert found.returncode == 0 and '"total": 1' in found.stdout, found.stderr
    assert not any(elsewhere.iterdir())  # nothing written to the working directory
