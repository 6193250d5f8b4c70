"""The pre-commit hooks of ``.pre-commit-hooks.yaml``, run by the real ``pre-commit`` in a
scratch git repository with ``pre-commit try-repo`` (which clones this checkout, uncommitted
changes included, and installs it into the hook's own virtual environment).

Slow (each try-repo call installs statusproof and its dependencies into a new hook
environment, from the pip cache when it has them; about 3 minutes a call on the shared
machine): marked ``slow``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TABLES

from statusproof.model import bundled_table

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def _try_repo(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    environment["PRE_COMMIT_HOME"] = str(home)
    environment["PRE_COMMIT_COLOR"] = "never"
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), *args],
                          cwd=repo, env=environment, capture_output=True, text=True,
                          timeout=900)


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_the_hooks_run_in_a_scratch_repository(tmp_path: Path) -> None:
    repo = tmp_path / "docs-repo"
    (repo / "docs").mkdir(parents=True)
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "test@example.invalid")
    _git(repo, "config", "user.name", "test")
    shutil.copy(TABLES / "ticket-lifecycle.txt", repo / "docs" / "tickets.txt")
    seed = bundled_table()
    shutil.copy(seed, repo / "docs" / "sessions.txt")
    shutil.copy(seed.with_name(seed.stem + ".amend.toml"), repo / "docs" / "sessions.amend.toml")
    (repo / "statusproof.toml").write_text(
        '[[tables]]\npath = "docs/tickets.txt"\n\n[[tables]]\npath = "docs/sessions.txt"\n',
        encoding="utf-8")
    _git(repo, "add", "-A")
    home = tmp_path / "pre-commit-home"

    # every hook of the manifest (try-repo installs the hook environment anew on each call):
    # the project hook checks every configured table, and the ticket table has an error
    # finding; the file hook matches nothing until the project sets `files:` (no silent guess
    # of which files are tables), which try-repo cannot set, so it skips
    failed = _try_repo(repo, home, "--all-files", "--verbose")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    lines = failed.stdout.splitlines()
    project = next(line for line in lines
                   if line.startswith("statusproof check (the tables of the project config"))
    assert project.endswith("Failed")
    staged = next(line for line in lines
                  if line.startswith("statusproof check (the staged status tables)"))
    assert staged.endswith("Skipped") and "no files to check" in staged
    assert "- exit code: 1" in failed.stdout
    assert "statusproof check: docs/tickets.txt" in failed.stdout
    assert "statusproof check: docs/sessions.txt" in failed.stdout
    assert "2 tables: 1 with errors" in failed.stdout

    # with only the sound table configured, the commit may go through
    (repo / "statusproof.toml").write_text('[[tables]]\npath = "docs/sessions.txt"\n',
                                           encoding="utf-8")
    _git(repo, "add", "-A")
    passed = _try_repo(repo, home, "statusproof-project", "--all-files")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout and "Failed" not in passed.stdout
