"""Benchmark of ``statusproof logs``: checking recorded histories against the model.

For each size (default 100,000 and 1,000,000 records) this script writes synthetic records of
the bundled Rescue model (``statusproof.logcheck.synth``, seeded), then measures in
fresh subprocesses, parse and check runs alternating, the least CPU time of ``--repeat`` runs
each (CPU time, because the machine may be shared; wall time is in the JSON of each run):

- parse: reading the file with the record reader alone (every record built, nothing checked);
- check: reading and checking (the whole ``statusproof logs`` pipeline minus the report);
- peak memory of the check: ``tracemalloc`` peak (a separate run, since tracing slows Python
  down) and the process's maximum resident set size (``resource.getrusage``).

Targets (issue 6): checking costs at most twice the parse time; memory flat in file size.
It does the same for polled snapshots (``rescue-getsession``) and, when pm4py can be imported,
runs pm4py's token-based replay on the same event records (``--pm4py-size`` of them) against a
Petri net of the table (a place per status, a transition per documented change, labelled with
the status entered; guards and timing cannot be expressed there, so pm4py checks less).

Usage: ``python benchmarks/bench_logs.py [--sizes 100000,1000000] [--workdir DIR]``.
Prints figures only; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from statusproof.logcheck.checker import HistoryChecker, Settings
from statusproof.logcheck.namemap import default_map
from statusproof.logcheck.records import default_fields, read_records
from statusproof.logcheck.synth import SynthSettings, generate
from statusproof.model import load_model


def _records_file(workdir: Path, fmt: str, size: int, seed: int) -> Path:
    """A synthetic file of about ``size`` records (cached in ``workdir``)."""
    suffix = "jsonl" if fmt == "jsonl" else "txt"
    path = workdir / f"rescue-{fmt}-{size}-{seed}.{suffix}"
    if path.is_file():
        return path
    model = load_model()
    names = default_map(model)
    with open(os.devnull, "w") as sink:
        pilot = generate(model, names, SynthSettings(2000, seed=seed), fmt, sink)
    sessions = math.ceil(size * pilot.sessions / max(pilot.records, 1))
    with path.open("w", encoding="utf-8") as handle:
        generate(model, names, SynthSettings(sessions, seed=seed), fmt, handle)
    return path


def _measure(mode: str, path: Path, fmt: str) -> dict[str, Any]:
    """One measurement in this process (called in a fresh subprocess)."""
    fields = default_fields(fmt)
    problems: list[Any] = []
    records = 0
    peak = None
    model = load_model()
    names = default_map(model)
    if mode == "check-mem":
        tracemalloc.start()
    start = time.perf_counter()
    cpu = time.process_time()
    if mode == "parse":
        for _ in read_records([path], fmt, fields, problems.append):
            records += 1
        violations = None
    else:
        checker = HistoryChecker(model, names, Settings(), snapshots=fmt == "rescue-getsession")
        checker.feed_all(read_records([path], fmt, fields, checker.problem))
        result = checker.finish()
        records = result.records
        violations = len(result.violations)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    if mode == "check-mem":
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"mode": mode, "records": records, "seconds": elapsed, "cpu": cpu,
            "violations": violations,
            "tracemalloc_peak": peak, "max_rss_kib": rss_kib, "malformed": len(problems)}


def _subprocess(mode: str, path: Path, fmt: str) -> dict[str, Any]:
    env = dict(os.environ, PM4PY_SHOW_PROGRESS_BAR="False")
    out = subprocess.run([sys.executable, __file__, "--measure", mode, str(path), fmt],
                         check=True, capture_output=True, text=True, env=env)
    data: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return data


def _best_pair(path: Path, fmt: str, repeat: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The best (least CPU time) parse and check runs, alternated so that load from other
    processes weighs on both alike."""
    parses, checks = [], []
    for _ in range(repeat):
        parses.append(_subprocess("parse", path, fmt))
        checks.append(_subprocess("check", path, fmt))
    return (min(parses, key=lambda r: r["cpu"]), min(checks, key=lambda r: r["cpu"]))


def _pm4py(path: Path) -> dict[str, Any] | None:
    """pm4py token-based replay on the records of an event file (None: no pm4py here)."""
    try:
        import pandas as pd  # type: ignore[import-not-found, import-untyped, unused-ignore]
        import pm4py  # type: ignore[import-not-found, import-untyped, unused-ignore]
        from pm4py.objects.petri_net.obj import (  # type: ignore[import-not-found, import-untyped, unused-ignore]
            Marking,
            PetriNet,
        )
        from pm4py.objects.petri_net.utils import (  # type: ignore[import-not-found, import-untyped, unused-ignore]
            petri_utils,
        )
    except ImportError:
        return None
    model = load_model()
    names = default_map(model)
    net = PetriNet("rescue")
    places = {s.name: PetriNet.Place(s.name) for s in model.statuses}
    source, sink = PetriNet.Place("start"), PetriNet.Place("end")
    for place in [*places.values(), source, sink]:
        net.places.add(place)
    for number, t in enumerate(model.transitions):
        label = t.target
        arc = PetriNet.Transition(f"t{number}", label)
        net.transitions.add(arc)
        petri_utils.add_arc_from_to(places[t.source], arc, net)
        petri_utils.add_arc_from_to(arc, places[t.target] if t.target else sink, net)
    for name in model.entries:
        arc = PetriNet.Transition(f"enter {name}", name)
        net.transitions.add(arc)
        petri_utils.add_arc_from_to(source, arc, net)
        petri_utils.add_arc_from_to(arc, places[name], net)
    for name in model.terminals:
        arc = PetriNet.Transition(f"end {name}", None)
        net.transitions.add(arc)
        petri_utils.add_arc_from_to(places[name], arc, net)
        petri_utils.add_arc_from_to(arc, sink, net)
    start_marking, end_marking = Marking({source: 1}), Marking({sink: 1})
    rows: list[tuple[str, str, float]] = []
    for record in read_records([path], "jsonl", default_fields("jsonl"), lambda p: None):
        statuses = names.resolve(record.status).statuses
        rows.append((record.session, statuses[0] if statuses else record.status, record.time))
    started = time.process_time()
    frame = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"])
    frame["time:timestamp"] = pd.to_datetime(frame["time:timestamp"], unit="s", utc=True)
    frame = pm4py.format_dataframe(frame, case_id="case:concept:name",
                                   activity_key="concept:name",
                                   timestamp_key="time:timestamp")
    prepared = time.process_time() - started
    started = time.process_time()
    diagnostics = pm4py.conformance_diagnostics_token_based_replay(
        frame, net, start_marking, end_marking)
    replay = time.process_time() - started
    fitting = sum(1 for d in diagnostics if d.get("trace_is_fit"))
    return {"records": len(rows), "prepare_seconds": prepared, "replay_seconds": replay,
            "traces": len(diagnostics), "fitting_traces": fitting,
            "version": getattr(pm4py, "__version__", "?")}


def _machine() -> str:
    lines = [f"python {platform.python_version()} on {platform.platform()}",
             f"cpus: {os.cpu_count()}"]
    for command in (["lscpu"], ["free", "-h"]):
        try:
            text = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            continue
        keep = [ln for ln in text.splitlines()
                if ln.split(":")[0].strip() in ("Model name", "CPU(s)", "CPU max MHz")
                or ln.startswith("Mem:")]
        lines.extend(keep)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--formats", default="jsonl,rescue-getsession")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir())
                                                  / "statusproof-bench-logs"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pm4py-size", type=int, default=100_000)
    parser.add_argument("--measure", nargs=3, metavar=("MODE", "FILE", "FORMAT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        mode, file, fmt = args.measure
        measured = _pm4py(Path(file)) if mode == "pm4py" else _measure(mode, Path(file), fmt)
        print(json.dumps(measured))
        return
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    print("machine:")
    print("  " + _machine().replace("\n", "\n  "))
    sizes = [int(s) for s in args.sizes.split(",")]
    for fmt in args.formats.split(","):
        print(f"\nformat {fmt}")
        print("  (CPU seconds, best of the runs; parse and check runs alternate)")
        print(f"  {'records':>9} {'MB':>6} | {'parse s':>8} {'parse/s':>9} | {'check s':>8} "
              f"{'check/s':>9} | {'ratio':>5} | {'peak MiB':>8} {'rss MiB':>7} "
              f"{'rss parse':>9}")
        for size in sizes:
            path = _records_file(workdir, fmt, size, args.seed)
            parse, check = _best_pair(path, fmt, args.repeat)
            memory = _subprocess("check-mem", path, fmt)
            n = check["records"]
            print(f"  {n:>9} {path.stat().st_size / 1e6:>6.1f} | {parse['cpu']:>8.2f} "
                  f"{n / parse['cpu']:>9.0f} | {check['cpu']:>8.2f} "
                  f"{n / check['cpu']:>9.0f} | {check['cpu'] / parse['cpu']:>5.2f} | "
                  f"{memory['tracemalloc_peak'] / 2**20:>8.1f} "
                  f"{check['max_rss_kib'] / 1024:>7.1f} {parse['max_rss_kib'] / 1024:>9.1f}")
            if check["violations"]:
                print(f"  (unexpected: {check['violations']} violation(s) on generated records)")
    if "jsonl" in args.formats.split(","):
        path = _records_file(workdir, "jsonl", max(sizes), args.seed)
        head = workdir / f"{path.stem}-head{args.pm4py_size}.jsonl"
        if not head.is_file():
            with path.open(encoding="utf-8") as source, head.open("w", encoding="utf-8") as out:
                for number, line in enumerate(source):
                    if number >= args.pm4py_size:
                        break
                    out.write(line)
        found = _subprocess("pm4py", head, "jsonl")
        print()
        if found is None:
            print("pm4py: not importable here; token-based replay not compared")
        else:
            n = found["records"]
            print(f"pm4py {found['version']} token-based replay on the first {n} records: "
                  f"replay {found['replay_seconds']:.2f}s CPU "
                  f"({n / found['replay_seconds']:.0f} events/s), dataframe preparation "
                  f"{found['prepare_seconds']:.2f}s; "
                  f"{found['fitting_traces']} of {found['traces']} traces fit")
            _, ours = _best_pair(head, "jsonl", args.repeat)
            print(f"statusproof logs on the same {ours['records']} records: "
                  f"{ours['cpu']:.2f}s CPU ({ours['records'] / ours['cpu']:.0f} events/s, "
                  "reading and parsing included)")


if __name__ == "__main__":
    main()
