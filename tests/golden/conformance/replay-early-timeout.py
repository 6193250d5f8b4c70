#!/usr/bin/env python3
"""Replay a failing conformance trace (written by statusproof conform).

Table: <bundled>/rescue-session-statuses.txt
Test:  transitions transitions-0001, shrunk from 233 steps to 3.
Fails: fail: wait 299s: expected 'Reconnecting', answered 'Offline' (in the model no timer fires yet: timer Reconnecting -> Offline falls due in 1s (status clock))
Run:   python3 THIS_FILE  (exit 0 once the implementation passes this trace, 1 while
       it fails, 3 when statusproof cannot be imported)
"""

try:
    from statusproof.conformance.runner import Replay
except ImportError as error:
    import sys
    sys.stderr.write(f"cannot replay: statusproof is not importable ({error}); "
                     "install it, or activate its virtual environment\n")
    raise SystemExit(3) from None

replay = Replay('python:tests/mutants/mutants.py:EarlyTimeout', timeout=5.0)
replay.reset('Connecting', settings={'Waiting sessions will time out (1-999 minutes, 0 = never)': 60, 'Active session idle time-out (1-999 minutes, 0 = never)': 60})
replay.go('Waiting', expect='Waiting')
replay.go('Reconnecting', expect='Reconnecting')
replay.wait(299, expect='Reconnecting')  # answered 'Offline'
raise SystemExit(replay.finish())
