"""The checker at any size (issue 14): witnesses built only when shown, output that grows
linearly with the table, the machine unfolded once per model, and a whole-run formal budget
whose unsettled questions are ``inconclusive``, never passed.

Speed is measured by ``benchmarks/bench_scale.py``, never here; these tests check the
structure that makes it linear (what is built, how the output grows), deterministically.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from conftest import TABLES, run_cli

from statusproof.checks import graph_checks
from statusproof.checks.findings import Finding, Lazy
from statusproof.checks.formal import formal_checks
from statusproof.checks.reachability import SHOWN_STEPS
from statusproof.checks.report import check_to_dict
from statusproof.checks.solver import BudgetSpentError, budget, budget_spent, check
from statusproof.checks.system import Eq, Var
from statusproof.model import load_model
from statusproof.model.graph import path_tree, shortest_witnesses
from statusproof.model.machine import unfold
from statusproof.model.model import Model

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from bench_scale import ring_table as ring  # the benchmark's own ring


def chain(size: int, end: bool = True) -> str:
    """``size`` statuses in a line, S0 an entry point; the last ends the run when ``end``."""
    lines: list[str] = []
    for i in range(size):
        if i:
            lines.append("|")
        last = "none" if end else ""
        lines += [f"S{i}", f"| Step {i}.", "| none" if i == 0 else f"| S{i - 1}",
                  f"| {last}" if i == size - 1 else f"| S{i + 1}"]
    lines.append("|")
    return "\n".join(lines) + "\n"


def chain_model(tmp_path: Path, size: int, end: bool = True) -> tuple[Path, Model]:
    path = tmp_path / f"chain-{size}-{end}.txt"
    path.write_text(chain(size, end), encoding="utf-8")
    return path, load_model(path)


def _lazy(findings: tuple[Finding, ...]) -> list[Lazy]:
    values: list[Lazy] = [f.witness_path for f in findings if isinstance(f.witness_path, Lazy)]
    values += [v for f in findings for _, v in f.evidence if isinstance(v, Lazy)]
    return values


def test_no_witness_is_built_until_shown(tmp_path: Path) -> None:
    _, model = chain_model(tmp_path, 300, end=False)  # every status is a trap, too
    findings = graph_checks(model)
    lazy = _lazy(findings)
    assert len(lazy) >= 2 * 299  # the paths of reachable statuses and traps, their confinement
    assert all(repr(value) == "Lazy(...)" for value in lazy)
    data = check_to_dict(model, findings, raw=True, max_witness=5)
    assert data["witnesses"]["shown"] == 5
    built = [value for value in lazy if repr(value) != "Lazy(...)"]
    assert 0 < len(built) <= 2 * 5  # a path, and the confinement list of a trap


def test_witnesses_are_the_shortest_paths(tmp_path: Path) -> None:
    _, model = chain_model(tmp_path, 40)
    found = {f.statuses[0]: f for f in graph_checks(model) if f.code == "reachable-status"}
    witnesses = shortest_witnesses(model)
    assert {name: f.witness for name, f in found.items()} == witnesses
    assert found["S39"].witness == tuple(f"S{i}" for i in range(40))
    # the message names at most SHOWN_STEPS statuses: the entry point, the last ones, the length
    assert found["S39"].message == (
        "'S39' is reachable: S0 -> ... -> " + " -> ".join(
            f"S{i}" for i in range(40 - SHOWN_STEPS + 2, 40)) + " (39 steps)")
    assert found["S5"].message == "'S5' is reachable: S0 -> S1 -> S2 -> S3 -> S4 -> S5"


def test_trap_messages_stay_short(tmp_path: Path) -> None:
    _, model = chain_model(tmp_path, 50, end=False)
    traps = {f.statuses[0]: f for f in graph_checks(model) if f.code == "no-path-to-terminal"}
    assert len(traps) == 50
    assert traps["S0"].message.endswith(", and more}: give one of them a next status that "
                                        "leads to a terminal")
    assert traps["S0"].evidence_dict()["confined_to"] == [f"S{i}" for i in range(50)]
    assert traps["S45"].evidence_dict()["confined_to"] == [f"S{i}" for i in range(45, 50)]
    assert "stays within {S45, S46, S47, S48, S49}" in traps["S45"].message


def test_output_grows_linearly_with_a_chain(tmp_path: Path) -> None:
    """The JSON of a chain's check (with the default witness cap) grows like the table, not
    like the sum of its path lengths (which grows with the square)."""
    sizes = {}
    for size in (1000, 2000):
        path, _ = chain_model(tmp_path, size)
        code, out, err = run_cli(["check", str(path), "--no-formal", "--format", "json"])
        assert (code, err) == (0, "")
        sizes[size] = len(out)
        data = json.loads(out)
        assert data["witnesses"] == {"max": 100, "shown": 100, "omitted": size - 1 - 100}
    assert sizes[2000] / sizes[1000] < 2.2


def test_max_witness_in_text_and_json(tmp_path: Path) -> None:
    path, _ = chain_model(tmp_path, 30, end=False)
    code, out, _ = run_cli(["check", str(path), "--no-formal", "--max-witness", "3"])
    assert code == 1
    assert out.count("      witness: ") == 3
    assert out.endswith("witnesses shown for the first 3 findings that have one; 26 more left "
                        "out (--max-witness N shows more)\n")
    code, out, _ = run_cli(["check", str(path), "--no-formal", "--format", "json",
                            "--max-witness", "0"])
    data = json.loads(out)
    assert data["witnesses"] == {"max": 0, "shown": 0, "omitted": 59}
    assert all(len(f["witness"]) <= 1 for f in data["findings"])
    assert sum(1 for f in data["findings"] if f.get("witness_omitted")) == 59
    code, _, err = run_cli(["check", str(path), "--max-witness", "-1"])
    assert code == 2 and "'-1' is not a whole number of 0 or more" in err


def test_the_default_cap_does_not_change_the_bundled_text() -> None:
    _, capped, _ = run_cli(["check", "--raw"])
    _, wide, _ = run_cli(["check", "--raw", "--max-witness", "100000"])
    assert capped == wide and "left out" not in capped


def test_the_machine_is_unfolded_once_per_model() -> None:
    model = load_model()
    graph = unfold(model)
    assert unfold(model) is graph
    formal_checks(model)
    assert model.derived["unfolded"] is graph
    with pytest.raises(Exception, match="Frozen graph"):
        graph.add_node("x")  # shared by every check: read-only
    assert path_tree(model) is path_tree(model)


# -- the formal budget ----------------------------------------------------------------------
def test_a_spent_budget_is_inconclusive_never_passed() -> None:
    model = load_model()
    generous = formal_checks(model, budget_s=600)
    spent = formal_checks(model, budget_s=1e-9)
    codes = {f.code for f in spent}
    assert "inconclusive" in codes
    assert not codes & {"history-proved", "guards-exclusive", "timeout-exclusive",
                        "timeout-no-coincidence", "solver-unknown"}
    inconclusive = [f for f in spent if f.code == "inconclusive"]
    assert all(f.severity.value == "warning" for f in inconclusive)
    assert {f.evidence_dict()["check"] for f in inconclusive} >= {
        "history restoration", "guards", "timeouts"}
    assert any("rerun with a larger --formal-budget" in f.message for f in inconclusive)
    assert "history-proved" in {f.code for f in generous}
    assert "inconclusive" not in {f.code for f in generous}


def test_no_budget_and_a_generous_one_agree() -> None:
    model = load_model(TABLES / "ticket-history.txt")
    assert formal_checks(model, budget_s=None) == formal_checks(model, budget_s=600)


def test_a_query_after_the_budget_is_spent_raises() -> None:
    with budget(1e-9):
        assert budget_spent()
        with pytest.raises(BudgetSpentError, match="the formal budget was spent"):
            check([("x is 1", Eq(Var("x"), Var("y")))], "a question")
    assert not budget_spent()
    assert check([("x is y", Eq(Var("x"), Var("y")))], "a question").sat


def test_check_reports_a_spent_budget() -> None:
    code, out, err = run_cli(["check", "--formal-budget", "0.000000001"])
    assert err == ""
    assert "  inconclusive (" in out
    assert "history-proved" not in out
    assert code == 0  # warnings only: the graph checks of the bundled table find no error
    code, _, err = run_cli(["check", "--formal-budget", "0"])
    assert code == 2 and "'0' is not a number of seconds above 0" in err


def test_a_budget_error_a_check_did_not_catch_is_inconclusive(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import statusproof.checks.formal as formal

    def cut_short(model: Model, timeout_ms: int) -> list[Finding]:
        raise BudgetSpentError("the formal budget was spent (5 s) while z3 was asked something")

    monkeypatch.setattr(formal, "history_checks", cut_short)
    found = formal.formal_checks(load_model(), budget_s=600)
    cut = [f for f in found if f.code == "inconclusive"]
    assert [f.message for f in cut] == [
        "the history restoration checks were cut short: the formal budget was spent (5 s) "
        "while z3 was asked something; rerun with a larger --formal-budget"]
    assert "guards-exclusive" in {f.code for f in found}  # the other checks still ran


# -- the budget reaches the plain-Python searches -------------------------------------------
@pytest.fixture(scope="module")
def big_ring(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ring") / "ring-1500.txt"
    path.write_text(ring(1500), encoding="utf-8")
    return path


def test_the_searches_stop_when_the_budget_is_spent(big_ring: Path) -> None:
    from statusproof.checks.history import explore, history_spec
    from statusproof.checks.witness import Search
    from statusproof.model.budget import budget as run_budget
    from statusproof.model.machine import machine_graph

    model = load_model(big_ring)
    with run_budget(1e-9), pytest.raises(
            BudgetSpentError, match=r"the formal budget was spent \(1e-09 s\) during the "
                                    r"unfolding of the machine \(\d+ states so far\)"):
        machine_graph(model)
    assert "machine" not in model.derived  # a search cut short is not kept
    graph = machine_graph(model)  # without a budget: the whole machine
    assert len(graph) >= 1500
    spec = history_spec(model)
    assert spec is not None
    with run_budget(1e-9), pytest.raises(BudgetSpentError, match="the history checks' search"):
        explore(model, spec)
    with run_budget(1e-9), pytest.raises(BudgetSpentError, match="a search for witnesses"):
        Search(graph, graph.initial)
    with run_budget(600):  # a generous budget changes nothing
        assert len(explore(model, spec).graph) == len(explore(model, spec).graph)


def test_a_tiny_budget_on_a_big_table_is_inconclusive(big_ring: Path) -> None:
    """Whatever the budget cuts short, in z3 or in a search, is inconclusive, never a pass;
    the run still ends with the documented exit code and no traceback."""
    code, out, err = run_cli(["check", str(big_ring), "--formal-budget", "0.01", "--format",
                              "json", "--max-witness", "0"])
    assert err == ""
    assert code in (0, 1)
    findings = json.loads(out)["findings"]
    inconclusive = [f for f in findings if f["code"] == "inconclusive"]
    assert inconclusive
    assert all("rerun with a larger --formal-budget" in f["message"] for f in inconclusive)
    assert "history-proved" not in {f["code"] for f in findings}


def test_check_runs_without_the_cycle_collector_and_restores_it(tmp_path: Path) -> None:
    """The cyclic collector's passes over the growing heap were a fifth of a big check's CPU:
    ``check`` pauses it for the run (reference counting still frees what it drops) and puts
    it back as it was, also when the input is refused."""
    import gc

    from statusproof.cli import main

    table = tmp_path / "chain.txt"
    table.write_text(chain(3_000))
    passes: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        frame = sys._getframe()  # a pass inside the command, not after it returned
        while frame is not None and not frame.f_code.co_filename.endswith("check.py"):
            frame = frame.f_back  # type: ignore[assignment]
        if phase == "start" and frame is not None:
            passes.append(info["generation"])

    assert main(["check", str(tmp_path / "missing.txt")], out=sys.stdout,
                err=(tmp_path / "err.txt").open("w")) == 2  # (imports the command's modules)
    assert gc.isenabled()
    gc.callbacks.append(count)
    try:
        assert main(["check", str(table), "--no-formal", "--format", "json"],
                    out=(tmp_path / "out.json").open("w"), err=sys.stderr) == 0
        during = list(passes)
        assert gc.isenabled()
        gc.disable()
        main(["check", str(table), "--no-formal"], out=(tmp_path / "o.txt").open("w"),
             err=sys.stderr)
        assert not gc.isenabled()  # left as it was found
        gc.enable()
    finally:
        gc.callbacks.remove(count)
    assert during == []
