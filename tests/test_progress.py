"""Progress bars: shown on a terminal (or when forced), never in a file or a pipe.

Real processes: ``statusproof conform`` and ``statusproof logs`` run as subprocesses, with
standard error a pipe, a pseudo-terminal, or forced by ``STATUSPROOF_PROGRESS``; the bar must
never change what goes to standard output."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = "python:" + str(ROOT / "examples" / "rescue_reference.py") + ":RescueSession"
EVENTS = ROOT / "tests" / "fixtures" / "logs" / "rescue-events.jsonl"
CONFORM = ["conform", "--adapter", REFERENCE, "--coverage", "transitions", "--no-config"]
LOGS = ["logs", "-r", str(EVENTS), "--show", "0", "--no-config"]
TRACES = ["traces", "--coverage", "transitions", "-o", "suites", "--no-config"]


def _env(progress: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "STATUSPROOF_PROGRESS"}
    if progress is not None:
        env["STATUSPROOF_PROGRESS"] = progress
    return env


def _run(args: list[str], progress: str | None, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "statusproof", *args], cwd=tmp_path,
                          env=_env(progress), capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(("args", "label"), [(CONFORM, "running transitions"),
                                             (TRACES, "writing transitions"),
                                             (LOGS, "checking records")],
                         ids=["conform", "traces", "logs"])
def test_a_forced_bar_goes_to_stderr_and_leaves_stdout_alone(
        args: list[str], label: str, tmp_path: Path) -> None:
    quiet = _run(args, "0", tmp_path)
    forced = _run(args, "1", tmp_path)
    assert quiet.returncode == forced.returncode, forced.stderr
    assert quiet.stderr == ""
    assert label in forced.stderr
    assert forced.stdout == quiet.stdout


def test_a_pipe_gets_no_bar(tmp_path: Path) -> None:
    result = _run(CONFORM, None, tmp_path)
    assert result.returncode == 0
    assert result.stderr == ""


def test_a_terminal_gets_the_bar_with_the_test_count(tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    # a terminal 100 columns wide (a fresh pseudo-terminal has none, and tqdm draws nothing)
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        process = subprocess.Popen([sys.executable, "-m", "statusproof", *CONFORM],
                                   cwd=tmp_path, env=_env(None), stdout=subprocess.PIPE,
                                   stderr=terminal, text=True)
        os.close(terminal)
        terminal = -1
        seen = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the other end closed: the process is done with the terminal
                break
            if not chunk:
                break
            seen += chunk
        out, _ = process.communicate(timeout=300)
    finally:
        os.close(controller)
        if terminal >= 0:
            os.close(terminal)
    assert process.returncode == 0
    text = seen.decode("utf-8", "replace")
    assert "running transitions" in text
    assert "/671 " in text  # the total: every test of the transition suite
    assert "PASSED: 671 tests" in out
