"""The zero-glue adapters for python-statemachine and transitions.

The Rescue table written in each library (examples/rescue_statemachine.py,
examples/rescue_transitions.py) passes the bundled suites through ``statemachine:`` and
``transitions:`` with only its mapping file; a faulty variant of each is caught and shrunk;
mapping files with mistakes are input errors with the file and the fix.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_cli

from statusproof.conformance.adapters import AdapterError, open_adapter

ROOT = Path(__file__).resolve().parent.parent
STATEMACHINE = "statemachine:examples/rescue_statemachine.py:RescueSession"
TRANSITIONS = "transitions:examples/rescue_transitions.py:RescueSession"
MUTANTS = "tests/mutants/library_mutants.py"


@pytest.fixture(autouse=True)
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.slow
@pytest.mark.parametrize("adapter", [STATEMACHINE, TRANSITIONS],
                         ids=["python-statemachine", "transitions"])
def test_the_library_examples_pass_the_bundled_suites(adapter: str) -> None:
    """Every suite; the complete one with m = 0 and its random walks (python-statemachine
    makes a machine in some milliseconds, so the m = 1 suite's 60,000 resets would take
    minutes: docs/conformance.md gives the figures)."""
    code, out, err = run_cli(["conform", "--adapter", adapter, "--extra-states", "0"])
    assert (code, err) == (0, ""), out
    assert out.rstrip().endswith("tests in 6 suite(s)") and "PASSED" in out


@pytest.mark.parametrize(("adapter", "mapping"), [
    (f"statemachine:{MUTANTS}:ForgetfulStateMachine", MUTANTS.replace(".py", ".mapping.toml")),
    (f"transitions:{MUTANTS}:ForgetfulTransitions", "examples/rescue_transitions.mapping.toml"),
], ids=["python-statemachine", "transitions"])
def test_a_faulty_library_machine_is_caught(adapter: str, mapping: str) -> None:
    code, out, _ = run_cli(["conform", "--adapter", adapter, "--mapping", mapping,
                            "--coverage", "transitions"])
    assert code == 1
    assert "shortest failure, shrunk from" in out
    assert "the model takes this step in Offline [remembered=" in out
    assert f"replay = Replay({adapter!r}, timeout=5.0, mapping={mapping!r})" in out


@pytest.mark.parametrize(("text", "message"), [
    ("[states]\nnowhere = 'Active'\n", r"\[states\]: 'nowhere' is not a state of the machine"),
    ("[[timer]]\nstates = ['waiting']\nevent = 'x'\n",
     r"timer 1: give either 'seconds' or 'setting'"),
    ("[[timer]]\nstates = ['limbo']\nevent = 'x'\nseconds = 3\n",
     r"timer 1: \['limbo'\] not states of the machine"),
    ("[stats]\n", r"unknown section\(s\) \['stats'\]; use \[states\] and \[\[timer\]\]"),
    ("[states\n", r"not TOML"),
])
def test_mapping_mistakes_are_input_errors(tmp_path: Path, text: str, message: str) -> None:
    mapping = tmp_path / "bad.mapping.toml"
    mapping.write_text(text)
    with pytest.raises(AdapterError, match=rf"^{mapping}: {message}"):
        open_adapter(STATEMACHINE, 5.0, mapping)
    code, out, err = run_cli(["conform", "--adapter", TRANSITIONS, "--mapping", str(mapping),
                              "--coverage", "statuses"])
    assert code == 2 and out == "" and "Traceback" not in err


def test_library_specs_that_cannot_be_used() -> None:
    with pytest.raises(AdapterError, match=r"is not a statemachine\.StateMachine subclass"):
        open_adapter("statemachine:examples/rescue_transitions.py:RescueSession")
    with pytest.raises(AdapterError, match="give the mapping file with --mapping"):
        open_adapter("transitions:transitions:Machine")
    with pytest.raises(AdapterError, match="cannot read the mapping file"):
        open_adapter(TRANSITIONS, 5.0, "no/such.toml")


def test_a_state_the_mapping_does_not_know_is_garbage(tmp_path: Path) -> None:
    mapping = tmp_path / "partial.mapping.toml"
    text = (ROOT / "examples" / "rescue_transitions.mapping.toml").read_text()
    mapping.write_text(text.replace('timed_out_admin = { status = "Timed out", cause = "admin" }\n',
                                    ""))
    code, out, _ = run_cli(["conform", "--adapter", TRANSITIONS, "--mapping", str(mapping),
                            "--coverage", "boundaries", "--fail-fast"])
    assert code == 1
    assert re.search(r"garbage at step \d+: after wait\(\d+\) the machine is in state "
                     r"'timed_out_admin', which the mapping file maps to no status", out), out
