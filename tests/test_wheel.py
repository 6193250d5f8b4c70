"""A wheel that runs anywhere: build it from a clean copy of the source tree, check that it
holds every module and data file, install it with its dependencies into a fresh virtual
environment outside the checkout, and run the five main commands from another directory.

Slow (a wheel build and a ``pip install`` of the dependencies, from the pip cache when it has
them): marked ``slow``; ``scripts/test.sh`` (the README's test command, and so CI) runs it.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]

pytestmark = pytest.mark.slow


def _source_files() -> list[Path]:
    """The files of the checkout a clean clone would have (tracked, or new and not ignored)."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, check=True, capture_output=True).stdout.decode().split("\0")
        return [Path(name) for name in listed if name and (ROOT / name).is_file()]
    skip = {".git", ".venv", "build", "__pycache__", ".pytest_cache", ".mypy_cache"}
    return [p.relative_to(ROOT) for p in ROOT.rglob("*") if p.is_file()
            and not skip.intersection(p.relative_to(ROOT).parts)
            and not any(part.endswith(".egg-info") for part in p.parts)]


def _package_dir(package: str) -> Path:
    """Where ``package`` lives in the source tree (the longest ``package-dir`` prefix)."""
    mapping: dict[str, str] = SETUPTOOLS.get("package-dir", {})
    parts = package.split(".")
    for cut in range(len(parts), 0, -1):
        prefix = ".".join(parts[:cut])
        if prefix in mapping:
            return Path(mapping[prefix], *parts[cut:])
    return Path(*parts)


def expected_wheel_files(sources: list[Path]) -> dict[str, Path]:
    """Every file the wheel must hold (its name in the wheel -> its source): each module of
    each listed package, and each package-data file."""
    data: dict[str, list[str]] = SETUPTOOLS.get("package-data", {})
    wanted: dict[str, Path] = {}
    for package in SETUPTOOLS["packages"]:
        folder = _package_dir(package)
        patterns = ["*.py", *data.get(package, [])]
        for source in sources:
            if source.parent != folder or "__pycache__" in source.parts:
                continue
            if any(fnmatch.fnmatch(source.name, pattern) for pattern in patterns):
                wanted["/".join([*package.split("."), source.name])] = source
    return wanted


def test_every_package_of_the_tree_is_listed() -> None:
    """A folder of Python modules under a packaged root that ``packages`` forgets would be left
    out of the wheel: the list is complete."""
    folders = {_package_dir(package) for package in SETUPTOOLS["packages"]}
    roots = {Path(folder).parts[0] for folder in SETUPTOOLS["package-dir"].values()}
    for source in _source_files():
        if source.suffix == ".py" and source.parts[0] in roots and len(source.parts) > 1:
            assert source.parent in folders, f"{source}: its folder is not a listed package"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built by pip from a clean copy of the source tree (no stale ``build/``)."""
    base = tmp_path_factory.mktemp("wheel")
    tree = base / "src"
    for source in _source_files():
        (tree / source).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / source, tree / source)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w",
                           str(base / "dist"), str(tree)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    # setuptools says when the configuration is wrong or deprecated: none of that from ours
    assert "SetuptoolsDeprecationWarning" not in done.stderr + done.stdout
    (built,) = (base / "dist").glob("statusproof-*.whl")
    return built


def test_the_wheel_holds_every_module_and_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = expected_wheel_files(_source_files())
    assert "statusproof/cli/__init__.py" in wanted  # the list is not vacuous
    assert "statusproof/model/data/rescue-session-statuses.txt" in wanted
    missing = sorted(set(wanted) - names)
    assert missing == []
    metadata = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: MIT" in metadata
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "statusproof/py.typed" in names
    for dependency in PYPROJECT["project"]["dependencies"]:
        assert f"Requires-Dist: {dependency}" in metadata


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment outside the checkout with the wheel and its dependencies
    (from PyPI or the pip cache): its ``bin`` folder."""
    env = tmp_path_factory.mktemp("venv") / "env"
    venv.EnvBuilder(with_pip=True, clear=True).create(env)
    done = subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "-q",
                           "--disable-pip-version-check", str(wheel)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return env / "bin"


def _run(bin_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}}
    environment["PATH"] = f"{bin_dir}{os.pathsep}{environment.get('PATH', '')}"
    return subprocess.run([str(bin_dir / "statusproof"), *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=600)


def test_the_installed_wheel_runs_from_another_directory(installed: Path,
                                                         tmp_path: Path) -> None:
    work = tmp_path / "elsewhere"
    work.mkdir()
    # the installed package, not the checkout: no path of ours leaks in
    where = subprocess.run([str(installed / "python"), "-c",
                            "import statusproof, sys; print(statusproof.__file__)"],
                           cwd=work, capture_output=True, text=True, check=True).stdout
    assert str(ROOT) not in where and str(installed.parent) in where

    check = _run(installed, work, "check")
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith("statusproof check: <bundled>/rescue-session-statuses.txt")
    assert "no-way-back" in check.stdout and len(check.stdout.splitlines()) <= 40

    sarif = _run(installed, work, "check", "--format", "sarif")
    assert sarif.returncode == 0 and json.loads(sarif.stdout)["version"] == "2.1.0"

    report = _run(installed, work, "report", "-o", "report", "--no-formal")
    assert report.returncode == 0, report.stderr
    page = (work / "report" / "report.html").read_text(encoding="utf-8")
    assert "<svg" in page and "Collaborating" in page

    traces = _run(installed, work, "traces", "--coverage", "transitions", "-o", "suites")
    assert traces.returncode == 0, traces.stderr
    assert any((work / "suites").rglob("*.jsonl"))

    shutil.copy(ROOT / "examples" / "rescue_reference.py", work / "reference.py")
    conform = _run(installed, work, "conform", "--adapter", "python:reference.py:RescueSession",
                   "--coverage", "transitions", "--format", "junit", "-o", "conform.xml")
    assert conform.returncode == 0, conform.stdout + conform.stderr
    suites = ElementTree.parse(work / "conform.xml").getroot()
    assert int(suites.get("tests", "0")) > 0 and suites.get("failures") == "0"

    synth = _run(installed, work, "logs-synth", "--sessions", "50", "--faults", "3",
                 "--seed", "7", "-o", "records.jsonl")
    assert synth.returncode == 0, synth.stderr
    logs = _run(installed, work, "logs", "-r", "records.jsonl", "--format", "json")
    assert logs.returncode == 1, logs.stderr  # three faults put in, found
    result = json.loads(logs.stdout)
    assert result["schema"] == "statusproof/logs/1"
    assert result["summary"]["sessions"] == 50
    assert sum(result["summary"]["violations_by_kind"].values()) >= 1
