"""Benchmark of ``statusproof logs``: checking recorded logs against the model.

One run prints, side by side, on the same generated event records of the bundled Rescue
model (seeded, conforming, written once and cached in ``--workdir``):

- ``statusproof logs`` on JSON Lines, CSV and Parquet (the fast path), and on JSON Lines with
  ``--path exact`` (the streaming checker alone), each as a whole process;
- a bare ``json.loads`` loop over the JSON Lines file and a bare ``csv.reader`` loop over the
  CSV file (the parse alone, nothing checked);
- the fast path's stages (start-up, reading, the bulk check, the end), CPU seconds each;
- pm4py's token-based replay, when ``--pm4py-python`` names an interpreter that has pm4py
  (install it in a scratch environment; it is not a dependency of statusproof).

Every figure is measured in a fresh child process with ``os.wait4``: CPU seconds (user +
system, all threads) and the child's own peak resident set size. ``statusproof logs`` is
also given net of its start-up (Python, imports, the model: a run on a three-line file,
measured in the same run), since the start-up is paid once whatever the input. Then the peak
RSS at ``--big`` records (default 10,000,000, made by repeating the records with other session
ids and later times), and ``--jobs 1`` against ``--jobs 2`` at that size, ``--pairs`` times
(interleaved, each pair with the load average before and after it): there the figure is wall
time, the point of a second core (run it on a quiet machine). Beside each pair, the same
CSV records cut in two halves and checked by two independent processes at once: nothing
split or merged, so the speed-up it gives is what two cores give this work on the machine at
that moment, the bound for ``--jobs 2``. Last, what the run says of the targets of issue 12
(events/s net of start-up, peak RSS, the ``--jobs 2`` speed-up), a line each, met or not.

Usage: ``python benchmarks/bench_logs.py [--size 1000000] [--big 10000000]
[--pm4py-python /path/to/python] [--workdir DIR] [--repeat 3] [--pairs 3]``. It prints
figures only; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

#: What a run says of a target: what, the figure, and met (None: it cannot tell).
Verdict = tuple[str, str, bool | None]

_BARE_JSON = """
import json, sys
n = 0
with open(sys.argv[1], "rb") as handle:
    for line in handle:
        json.loads(line)
        n += 1
print(n)
"""
_BARE_CSV = """
import csv, sys
n = -1
with open(sys.argv[1], newline="", encoding="utf-8") as handle:
    for row in csv.reader(handle):
        n += 1
print(n)
"""
_PM4PY = """
import json, sys, time
import pandas as pd
import pm4py
from pm4py.objects.petri_net.obj import Marking, PetriNet
from pm4py.objects.petri_net.utils import petri_utils
from statusproof.model import load_model
from statusproof.logcheck.namemap import default_map
model = load_model()
names = default_map(model)
net = PetriNet("rescue")
places = {s.name: PetriNet.Place(s.name) for s in model.statuses}
source, sink = PetriNet.Place("start"), PetriNet.Place("end")
for place in [*places.values(), source, sink]:
    net.places.add(place)
for number, t in enumerate(model.transitions):
    arc = PetriNet.Transition(f"t{number}", t.target)
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
rows = []
with open(sys.argv[1], "rb") as handle:
    for line in handle:
        item = json.loads(line)
        statuses = names.resolve(item["status"]).statuses
        rows.append((item["session"], statuses[0] if statuses else item["status"], item["time"]))
frame = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"])
frame["time:timestamp"] = pd.to_datetime(frame["time:timestamp"], utc=True)
frame = pm4py.format_dataframe(frame, case_id="case:concept:name", activity_key="concept:name",
                               timestamp_key="time:timestamp")
found = pm4py.conformance_diagnostics_token_based_replay(frame, net, Marking({source: 1}),
                                                         Marking({sink: 1}))
print(len(rows), sum(1 for d in found if d.get("trace_is_fit")), len(found),
      getattr(pm4py, "__version__", "?"))
"""


#: The fast path's stages, in one process, as ``statusproof logs`` runs them (logcheck.run):
#: CPU seconds (user + system, all threads) of the imports and the model, of reading the
#: batches, of the bulk check, and of the end (open sessions closed, results merged).
_STAGES = """
import json, resource, sys
from pathlib import Path
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
start = cpu()
from statusproof.model import load_model
from statusproof.logcheck.namemap import default_map
from statusproof.logcheck.records import default_fields
from statusproof.logcheck.result import CheckSettings
from statusproof.logcheck.fastpath import FastChecker, with_clock
from statusproof.logcheck.fastread import BLOCK, read_batches
from statusproof.logcheck.rawlines import DEFAULT_MAX_LINE_BYTES
model = load_model()
names = default_map(model)
path, fmt = sys.argv[1], sys.argv[2]
checker = FastChecker(model, names, CheckSettings(), [path])
spent = {"start-up": cpu() - start, "read": 0.0, "check": 0.0, "end": 0.0}
first, clock, batches = 0, -1e300, 0
mark = cpu()
for batch in read_batches([Path(path)], [path], fmt, default_fields(fmt),
                          checker.result.problems.append, DEFAULT_MAX_LINE_BYTES, BLOCK):
    now = cpu()
    spent["read"] += now - mark
    framed, clock = with_clock(batch, first, clock)
    first += batch.height
    batches += 1
    checker.feed(framed)
    mark = cpu()
    spent["check"] += mark - now
checker.finish()
spent["end"] = cpu() - mark
spent["batches"] = batches
spent["records"] = first
print(json.dumps(spent))
"""

#: A small launcher: the measured command is its only child, so the launcher's children
#: figures are the command's (with its own workers), and its peak RSS is not inflated by
#: the memory of this script at fork time.
_LAUNCH = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stdout.write(json.dumps({"cpu": usage.ru_utime + usage.ru_stime,
                             "rss": usage.ru_maxrss / 1024, "wall": wall,
                             "out": done.stdout.decode(errors="replace")[-4000:],
                             "err": done.stderr.decode(errors="replace")[-4000:],
                             "code": done.returncode}))
"""


def _child(command: list[str], cwd: Path | None = None) -> dict[str, Any]:
    """Run ``command`` (in ``cwd``); its CPU seconds (with its children), peak RSS (MiB), wall
    seconds, output and exit code."""
    env = dict(os.environ, PM4PY_SHOW_PROGRESS_BAR="False")
    done = subprocess.run([sys.executable, "-c", _LAUNCH, *command], capture_output=True,
                          text=True, env=env, check=True, cwd=cwd)
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def _best(command: list[str], repeat: int) -> dict[str, Any]:
    runs = [_child(command) for _ in range(repeat)]
    for run in runs:
        if run["code"] not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed: {run['err'][-800:]}")
    best = min(runs, key=lambda r: r["cpu"])
    best["rss"] = max(r["rss"] for r in runs)
    return best


def _logs(path: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "statusproof", "logs", "-r", str(path), "-o", os.devnull, *extra]


def _records(workdir: Path, size: int, seed: int) -> dict[str, Path]:
    """Conforming event records of about ``size`` lines as JSONL, CSV and Parquet."""

    from statusproof.logcheck.namemap import default_map
    from statusproof.logcheck.synth import SynthSettings, generate
    from statusproof.model import load_model

    stem = workdir / f"rescue-{size}-{seed}"
    paths = {fmt: stem.with_suffix(f".{fmt}") for fmt in ("jsonl", "csv", "parquet")}
    if all(p.is_file() for p in paths.values()):
        return paths
    model = load_model()
    names = default_map(model)
    with open(os.devnull, "w") as sink:
        pilot = generate(model, names, SynthSettings(2000, seed=seed), "csv", sink)
    sessions = math.ceil(size * pilot.sessions / max(pilot.records, 1))
    with paths["csv"].open("w", encoding="utf-8") as handle:
        generate(model, names, SynthSettings(sessions, seed=seed), "csv", handle)
    _derive(paths["csv"], paths)
    return paths


def _derive(csv: Path, paths: dict[str, Path]) -> None:
    import polars as pl

    frame = pl.read_csv(csv, infer_schema=False)
    frame.write_parquet(paths["parquet"], row_group_size=100_000)
    with paths["jsonl"].open("w", encoding="utf-8") as handle:
        for session, stamp, status, cause in frame.iter_rows():
            item = {"session": session, "time": stamp, "status": status}
            if cause:
                item["cause"] = cause
            handle.write(json.dumps(item) + "\n")


def _repeated(source: dict[str, Path], workdir: Path, times: int) -> dict[str, Path]:
    """The records ``times`` over, each copy with other session ids and later times."""
    import polars as pl

    stem = workdir / f"{source['csv'].stem}-x{times}"
    paths = {fmt: stem.with_suffix(f".{fmt}") for fmt in ("csv", "jsonl", "parquet")}
    if all(p.is_file() for p in paths.values()):
        return paths
    if paths["csv"].is_file() and paths["jsonl"].is_file():  # the Parquet copy is newer
        _big_parquet(paths)
        return paths
    frame = pl.read_csv(source["csv"], infer_schema=False)
    seconds = frame["time"].str.strptime(pl.Datetime("ms"), "%Y-%m-%dT%H:%M:%SZ")
    span = (seconds.max() - seconds.min()).total_seconds() + 86400  # type: ignore[union-attr]
    with paths["csv"].open("w", encoding="utf-8") as csv, \
            paths["jsonl"].open("w", encoding="utf-8") as jsonl:
        csv.write(",".join(frame.columns) + "\n")
        for copy in range(times):
            shifted = frame.with_columns(
                session=pl.col("session") + f"-{copy}",
                time=(seconds + pl.duration(seconds=int(copy * span))).dt.strftime(
                    "%Y-%m-%dT%H:%M:%SZ"))
            csv.write(shifted.write_csv(include_header=False))
            jsonl.write(shifted.write_ndjson())
    _big_parquet(paths)
    return paths


def _big_parquet(paths: dict[str, Path]) -> None:
    """The big CSV file as Parquet (streamed: the file is never whole in memory)."""
    import polars as pl

    pl.scan_csv(paths["csv"], infer_schema=False).sink_parquet(paths["parquet"],
                                                               row_group_size=100_000)


def _halves(csv: Path, count: int) -> tuple[Path, Path]:
    """The CSV file of ``count`` records cut in two at its middle line, each half with the
    header (cached)."""
    first, second = csv.with_name(f"{csv.stem}-half1.csv"), csv.with_name(f"{csv.stem}-half2.csv")
    if first.is_file() and second.is_file():
        return first, second
    with csv.open("rb") as handle, first.open("wb") as one, second.open("wb") as two:
        header = handle.readline()
        one.write(header)
        two.write(header)
        for number, line in enumerate(handle):
            (one if number < count // 2 else two).write(line)
    return first, second


def _side_by_side(commands: list[list[str]]) -> float:
    """Run ``commands`` at once; the wall seconds until the last is done."""
    from concurrent.futures import ThreadPoolExecutor

    start = time.perf_counter()
    with ThreadPoolExecutor(len(commands)) as pool:
        list(pool.map(_child, commands))
    return time.perf_counter() - start


def _machine() -> str:
    lines = [f"python {platform.python_version()} on {platform.platform()}",
             f"cpus: {os.cpu_count()}", f"load average: {os.getloadavg()}"]
    try:
        text = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        lines += [ln for ln in text.splitlines()
                  if ln.split(":")[0].strip() in ("Model name", "CPU(s)")]
    except (OSError, subprocess.CalledProcessError):
        pass
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--big", type=int, default=10_000_000)
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir())
                                                  / "statusproof-bench-logs"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pm4py-python", help="an interpreter with pm4py (and statusproof)")
    parser.add_argument("--pm4py-size", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=3,
                        help="--jobs 1 / --jobs 2 pairs at --big records (interleaved)")
    parser.add_argument("--only-big", action="store_true",
                        help="measure only the --big records (memory, --jobs)")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    print("machine:\n  " + _machine().replace("\n", "\n  "))
    paths = _records(workdir, args.size, args.seed)
    records = sum(1 for _ in paths["jsonl"].open("rb"))
    if args.only_big:
        _verdicts(_big(paths, workdir, records, args.big, args.pairs))
        return
    tiny = workdir / "tiny.jsonl"
    with paths["jsonl"].open("rb") as source, tiny.open("wb") as out:
        out.writelines(next(source) for _ in range(3))
    floor = _best(_logs(tiny), args.repeat)
    rows: list[tuple[str, dict[str, Any], bool]] = [
        ("python -c pass", _best([sys.executable, "-c", "pass"], args.repeat), False),
        ("statusproof logs, 3 records (start-up)", floor, False),
        ("bare json.loads loop (JSONL)", _best([sys.executable, "-c", _BARE_JSON,
                                                str(paths["jsonl"])], args.repeat), False),
        ("bare csv.reader loop (CSV)", _best([sys.executable, "-c", _BARE_CSV,
                                              str(paths["csv"])], args.repeat), False),
    ]
    for fmt in ("jsonl", "csv", "parquet"):
        rows.append((f"statusproof logs {fmt}", _best(_logs(paths[fmt]), args.repeat), True))
    rows.append(("statusproof logs jsonl --path exact",
                 _best(_logs(paths["jsonl"], "--path", "exact"), 1), True))
    print(f"\n{records:,} event records ({paths['jsonl'].stat().st_size / 1e6:.0f} MB as "
          f"JSONL); best CPU of {args.repeat} fresh processes; peak RSS of the child")
    print(f"  {'what':42} {'CPU s':>7} {'events/s':>10} {'net of start-up':>16} "
          f"{'peak RSS MiB':>13}")
    targets: list[Verdict] = []
    by_label = {label: run for label, run, _ in rows}
    for fmt in ("csv", "parquet"):
        rate = _net(records, by_label[f"statusproof logs {fmt}"], floor)
        targets.append((f"{fmt} at {records:,} events, net of start-up",
                        f"{rate:,.0f} events/s of CPU (target 1,000,000)" if rate else
                        _UNMEASURED, rate >= 1e6 if rate else None))
    bare = records / by_label["bare json.loads loop (JSONL)"]["cpu"]
    rate = _net(records, by_label["statusproof logs jsonl"], floor)
    targets.append(("jsonl, net of start-up", f"{rate:,.0f} events/s against the bare "
                    f"json.loads loop's {bare:,.0f}" if rate else _UNMEASURED,
                    rate >= bare if rate else None))
    most = max(by_label[f"statusproof logs {fmt}"]["rss"] for fmt in ("jsonl", "csv", "parquet"))
    targets.append((f"peak RSS at {records:,} events", f"{most:.0f} MiB (target under 200)",
                    most < 200))
    for label, run, net in rows:
        # the start-up run checks three records: an events/s figure would mean nothing
        rate = records / run["cpu"] if run["cpu"] > 0.2 and run is not floor else float("nan")
        rate_net = _net(records, run, floor)
        netted = (f"{rate_net:>12,.0f}/s" if net and rate_net else "")
        print(f"  {label:42} {run['cpu']:>7.2f} {rate:>10,.0f} {netted:>16} "
              f"{run['rss']:>13.0f}")
    print("\nstages of the fast path, one process each (CPU s; us per record)")
    for fmt in ("jsonl", "csv", "parquet"):
        run = _child([sys.executable, "-c", _STAGES, str(paths[fmt]), fmt])
        spent = json.loads(run["out"])
        parts = "  ".join(f"{name} {spent[name]:.2f}"
                          + (f" ({spent[name] / records * 1e6:.2f} us)" if name in
                             ("read", "check") else "")
                          for name in ("start-up", "read", "check", "end"))
        print(f"  {fmt:8} {parts}; {spent['batches']} batches; peak RSS {run['rss']:.0f} MiB")
    if args.pm4py_python:
        head = workdir / f"head-{args.pm4py_size}.jsonl"
        with paths["jsonl"].open("rb") as source, head.open("wb") as out:
            for number, line in enumerate(source):
                if number >= args.pm4py_size:
                    break
                out.write(line)
        # from the work folder: a source checkout in the current folder would shadow the
        # statusproof installed in pm4py's environment
        found = _child([args.pm4py_python, "-c", _PM4PY, str(head.resolve())],
                       cwd=workdir.resolve())
        ours = _best(_logs(head), args.repeat)
        if found["code"] == 0:
            count, fit, traces, version = found["out"].split()
            print(f"\npm4py {version} token-based replay, first {int(count):,} records "
                  f"(reading, data frame, replay): {found['cpu']:.2f} s CPU "
                  f"({int(count) / found['cpu']:,.0f} events/s), peak RSS "
                  f"{found['rss']:.0f} MiB; {fit} of {traces} traces fit")
            print(f"statusproof logs on the same records: {ours['cpu']:.2f} s CPU "
                  f"({int(count) / ours['cpu']:,.0f} events/s whole process), peak RSS "
                  f"{ours['rss']:.0f} MiB")
        else:
            print(f"\npm4py failed: {found['err'][-500:]}")
    else:
        print("\npm4py: no --pm4py-python given; token-based replay not compared")
    if args.big:
        targets.extend(_big(paths, workdir, records, args.big, args.pairs))
    _verdicts(targets)


#: What a verdict says when a run is too close to the start-up to give a rate.
_UNMEASURED = "not measurable: the run took less than 0.1 s of CPU over the start-up"


def _net(records: int, run: dict[str, Any], floor: dict[str, Any]) -> float:
    """Events per CPU second net of the start-up (``floor``); 0 when the difference is too
    small to mean anything (under 0.1 s: a small --size, or a noisy machine)."""
    spent = float(run["cpu"]) - float(floor["cpu"])
    return records / spent if spent >= 0.1 else 0.0


def _verdicts(targets: list[Verdict]) -> None:
    """Print what the run says of each target."""
    print("\nagainst the targets of issue 12 (this run, this machine):")
    for what, figure, met in targets:
        said = "unknown" if met is None else "met" if met else "NOT MET"
        print(f"  {said:7}  {what}: {figure}")


def _big(paths: dict[str, Path], workdir: Path, records: int, size: int,
         pairs: int = 1) -> list[Verdict]:
    """The runs at ``size`` records (see the module docstring); what they say of the
    targets (what, the figure, met)."""
    big = _repeated(paths, workdir, max(1, round(size / records)))
    count = sum(1 for _ in big["csv"].open("rb")) - 1
    print(f"\n{count:,} records (the records repeated), one run each:")
    most = 0.0
    for fmt in ("csv", "jsonl", "parquet"):
        run = _child(_logs(big[fmt]))
        most = max(most, run["rss"])
        print(f"  statusproof logs {fmt}: {run['cpu']:.1f} s CPU "
              f"({count / run['cpu']:,.0f} events/s), peak RSS {run['rss']:.0f} MiB")
    halves = _halves(big["csv"], count)
    speedups: list[float] = []
    bounds: list[float] = []
    for _ in range(pairs):  # interleaved: the machine's load moves between runs
        before = os.getloadavg()[0]
        one = _child(_logs(big["csv"], "--jobs", "1"))
        two = _child(_logs(big["csv"], "--jobs", "2"))
        # the machine's own bound: each half checked by a process of its own, both at once
        # (nothing split, merged or written): what two cores give this work here and now
        apart = _side_by_side([_logs(half) for half in halves])
        print(f"  --jobs 1: {one['wall']:.2f} s wall ({one['cpu']:.2f} s CPU, "
              f"{one['rss']:.0f} MiB); --jobs 2: {two['wall']:.2f} s wall "
              f"({two['cpu']:.2f} s CPU in the coordinator and its workers); "
              f"speed-up {one['wall'] / two['wall']:.2f}x; CPU of the split "
              f"{two['cpu'] / one['cpu'] - 1:+.0%}, so at most "
              f"{2 * one['cpu'] / two['cpu']:.2f}x on two idle cores; the two halves "
              f"side by side, each in a process of its own: {apart:.2f} s wall, "
              f"{one['wall'] / apart:.2f}x (the machine's bound); load average "
              f"{before:.2f} before, {os.getloadavg()[0]:.2f} after")
        speedups.append(one["wall"] / two["wall"])
        bounds.append(one["wall"] / apart)
    found = [(f"peak RSS at {count:,} events", f"{most:.0f} MiB (target under 200)",
              most < 200)]
    if speedups:
        middle = statistics.median(speedups)
        found.append((f"--jobs 2 against --jobs 1, median of {len(speedups)} "
                      f"pair{'s' if len(speedups) != 1 else ''}",
                      f"{middle:.2f}x (target 1.7x; two processes sharing nothing: "
                      f"{statistics.median(bounds):.2f}x)", middle >= 1.7))
    return found


if __name__ == "__main__":
    main()
