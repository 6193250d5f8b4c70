"""Configuration files: discovery, validation (file:line messages), and what they hold."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from statusproof.checks.findings import CATALOGUE
from statusproof.cli.config import ConfigError, find_config, load_config


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_pyproject_section_with_tables(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "pyproject.toml", """
[project]
name = "docs"

[tool.statusproof]
reconcile = "next"
severity = "info"
ignore = ["empty-cell"]
solver-timeout = 5
formal-budget = 12.5
max-witness = 3

[[tool.statusproof.tables]]
path = "docs/orders.md"
amendments = "docs/orders.amend.toml"
ignore = ["column-mismatch"]
input-format = "markdown"
"""))
    assert config.reconcile == "next"
    assert config.severity == "info"
    assert config.ignore == ("empty-cell",)
    assert (config.solver_timeout, config.formal_budget, config.max_witness) == (5, 12.5, 3)
    (table,) = config.tables
    assert table.path == (tmp_path / "docs" / "orders.md").resolve()
    assert table.amendments == (tmp_path / "docs" / "orders.amend.toml").resolve()
    assert table.ignore == ("column-mismatch",)
    assert table.input_format == "markdown"
    assert config.table(tmp_path / "docs" / "orders.md") == table
    assert config.table(tmp_path / "other.md") is None


def test_pyproject_without_section_is_no_config(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n"))
    assert config.source is None and config.tables == ()


def test_statusproof_toml_keys_at_top_level(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "statusproof.toml",
                               'severity = "error"\n[[tables]]\npath = "t.csv"\nraw = true\n'))
    assert config.severity == "error"
    assert config.tables[0].raw is True


@pytest.mark.parametrize(("text", "message"), [
    ('severty = "info"\n', r"statusproof.toml:1: unknown key 'severty' in statusproof.toml; "
                           r"did you mean 'severity'\?"),
    ('reconcile = "both"\n', r"statusproof.toml:1: reconcile = 'both' is not one of union, "
                             r"next, previous, intersection"),
    ('\n\nignore = ["column-mismatc"]\n', r"statusproof.toml:3: 'column-mismatc' is not a "
                                          r"finding code; did you mean 'column-mismatch'\?"),
    ('ignore = "column-mismatch"\n', r"statusproof.toml:1: ignore must be a list of finding "
                                     r"codes"),
    ("solver-timeout = 0\n", r"statusproof.toml:1: solver-timeout must be a positive whole "
                             r"number"),
    ("formal-budget = true\n", r"formal-budget must be a positive number"),
    ('[[tables]]\namendments = "a.toml"\n', r"a table entry has no 'path'"),
    ('[[tables]]\npath = "t.md"\nformat = "md"\n', r"statusproof.toml:3: unknown key 'format' "
                                                  r"in a table entry"),
    ("tables = 3\n", r"tables must be an array of tables"),
    ("severity = \n", r"statusproof.toml: not valid TOML"),
])
def test_bad_configuration_says_file_line_and_fix(tmp_path: Path, text: str,
                                                  message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path / "statusproof.toml", text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no such configuration file"):
        load_config(tmp_path / "absent.toml")


def test_discovery_walks_up_to_the_checkout_root(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    deep = root / "docs" / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) is None
    found = write(root / "pyproject.toml", "[tool.statusproof]\nseverity = 'info'\n")
    assert find_config(deep) == found
    nearer = write(root / "docs" / "statusproof.toml", "severity = 'error'\n")
    assert find_config(deep) == nearer
    # a pyproject.toml without our section is passed over
    write(root / "docs" / "a" / "pyproject.toml", "[project]\nname = 'a'\n")
    assert find_config(deep) == nearer


def test_discovery_stops_at_the_checkout_root(tmp_path: Path) -> None:
    write(tmp_path / "statusproof.toml", "severity = 'info'\n")
    inner = tmp_path / "repo"
    (inner / ".git").mkdir(parents=True)
    assert find_config(inner) is None


@given(st.lists(st.sampled_from(sorted(CATALOGUE)), max_size=6, unique=True))
def test_every_catalogue_code_may_be_ignored(codes: list[str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        text = "ignore = [" + ", ".join(f'"{c}"' for c in codes) + "]\n"
        config = load_config(write(Path(folder) / "statusproof.toml", text))
        assert config.ignore == tuple(codes)
