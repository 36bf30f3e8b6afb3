"""Side-by-side benchmark: raw aiohttp loop vs voicelive vs the official azure-ai-voicelive.

    python bench/run.py                      # full run (~10 min on 2 cores)
    python bench/run.py --quick              # tiny sizes, CI smoke run (< 1 min)
    python bench/run.py --official-python /path/to/other-venv/bin/python
    python bench/run.py --only a,b,c,mem,conc --rounds 21 --output bench/RESULTS.md
    python bench/run.py --only start --rounds 11    # import, CLI start-up, first connect and
                                                    # first decodes, process start -> first event

One loopback aiohttp server process (``bench/server.py``); each client runs in its own
long-lived worker process (``bench/clients/*.py``), and the rounds are interleaved
(round r runs every client once, starting with a different client each round) so machine
noise hits all of them alike. Times cover the workload only (after connect and
``session.created``). Memory and concurrency runs use a fresh process per client and size.

Workloads: (a) receive one response of N 100 ms PCM16 audio deltas plus a transcript
delta after every other one; (b) receive N small transcript deltas; (c) send N 20 ms
``input_audio_buffer.append`` from raw PCM bytes, commit, wait for ``committed``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from _common import (  # noqa: E402
    API_KEY,
    BENCH_PARAM,
    MODE_IDLE,
    MODEL,
    audio_response_frames,
    expected_counts,
    log,
    raise_nofile,
    session_created,
)

CLIENTS: dict[str, tuple[str, str]] = {
    # key: (module run with ``python -m``, label)
    "raw": ("clients.raw_aiohttp", "raw aiohttp"),
    "voicelive": ("clients.voicelive_client", "voicelive"),
    "official": ("clients.official_sdk", "official SDK"),
}

TARGETS = {"a": 1.0, "b": 1.3, "c": 1.1}
OFFICIAL_BASELINE = {"a": "2.3x", "b": "7.9x", "c": "2.3x"}
TITLES = {
    "a": "(a) receive audio: {n:,} x 100 ms audio deltas + {half:,} transcript deltas",
    "b": "(b) receive {n:,} small transcript-delta events",
    "c": "(c) send {n:,} x 20 ms input_audio_buffer.append, commit, wait for committed",
}
KEEP_UP_P99_MS = 100.0
QUIET_PCT = 20.0  # other processes' CPU (% of one core) below which the machine is "quiet"
NOISY_PCT = 30.0  # a round or run disturbed more than this is measured again


# --------------------------------------------------------------------------- processes
class WorkerError(RuntimeError):
    pass


class Worker:
    """A client worker process speaking the line-JSON protocol of ``_common.worker_main``."""

    def __init__(self, key: str, python: str, endpoint: str) -> None:
        module, self.label = CLIENTS[key]
        self.key = key
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCH_DIR), env.get("PYTHONPATH")]))
        env.setdefault("PYTHONHASHSEED", "0")
        # closed in close(); the worker's stderr is only read when something went wrong
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self.proc = subprocess.Popen(
            [python, "-m", module, endpoint],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            text=True,
            bufsize=1,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.hello = self._read(timeout=120)

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def stderr_tail(self, lines: int = 15) -> str:
        self._stderr.seek(0)
        text = self._stderr.read().decode(errors="replace").strip().splitlines()
        return "\n".join(text[-lines:])

    def _read(self, timeout: float) -> dict[str, Any]:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            self.kill()
            raise WorkerError(f"{self.label}: no answer within {timeout:.0f}s") from None
        if line is None:
            self.proc.wait(timeout=10)
            raise WorkerError(
                f"{self.label}: worker exited ({self.proc.returncode})\n{self.stderr_tail()}"
            )
        reply: dict[str, Any] = json.loads(line)
        if not reply.get("ok"):
            raise WorkerError(f"{self.label}: {reply.get('error', reply)}")
        return reply

    def call(self, cmd: dict[str, Any], timeout: float) -> dict[str, Any]:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(cmd) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise WorkerError(f"{self.label}: worker is gone\n{self.stderr_tail()}") from None
        return self._read(timeout)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write('{"op": "exit"}\n')
                self.proc.stdin.close()
                self.proc.wait(timeout=20)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.kill()
        self._stderr.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Server:
    def __init__(self, python: str) -> None:
        self.proc = subprocess.Popen(
            [python, str(BENCH_DIR / "server.py")],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"server did not start: {line!r}")
        self.port = int(line.split()[1])
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def stats(self, reset: bool = False) -> dict[str, Any]:
        url = f"{self.endpoint}/stats" + ("?reset=1" if reset else "")
        with urllib.request.urlopen(url, timeout=30) as resp:
            result: dict[str, Any] = json.load(resp)
            return result

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores), from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return float("nan")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (server and workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of a live process from /proc/PID/stat (0.0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class NoiseMeter:
    """CPU that processes other than ours (harness, server, given workers) used meanwhile.

    The benchmark shares 2 cores with whatever else runs on the machine; this is how a
    round or a concurrency run notices it was disturbed, so it can be measured again.
    """

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.t0 = time.monotonic()
        self.busy0 = busy_seconds()
        self.own0 = self._own()

    def _own(self) -> float:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return ru.ru_utime + ru.ru_stime + sum(proc_cpu_seconds(p) for p in self.pids)

    def other_pct(self) -> float:
        """Other processes' CPU since construction, in % of one core."""
        wall = time.monotonic() - self.t0
        if wall <= 0:
            return 0.0
        other = busy_seconds() - self.busy0 - (self._own() - self.own0)
        return max(0.0, 100 * other / wall)


def wait_quiet(pids: list[int], max_wait: float, threshold: float = QUIET_PCT) -> float:
    """Wait (up to ``max_wait`` s) until other processes use < ``threshold``% of a core."""
    deadline = time.monotonic() + max_wait
    while True:
        meter = NoiseMeter(pids)
        time.sleep(1.0)
        other = meter.other_pct()
        if other < threshold or time.monotonic() >= deadline:
            return other
        log(f"  machine busy (other processes at {other:.0f}% of a core); waiting")


# --------------------------------------------------------------------------- report model
@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def out(self, text: str = "") -> None:
        print(text, flush=True)
        self.lines.append(text)

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
        fmt = "| " + " | ".join(f"{{:<{w}}}" for w in widths) + " |"
        self.out(fmt.format(*header))
        self.out("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        for r in rows:
            self.out(fmt.format(*r))
        self.out()

    def fail(self, msg: str) -> None:
        self.failures.append(msg)
        log(f"FAILED: {msg}")


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


# --------------------------------------------------------------------------- runs
def start_workers(
    keys: list[str], pythons: dict[str, str], endpoint: str, report: Report, notes: list[str]
) -> dict[str, Worker]:
    workers: dict[str, Worker] = {}
    for key in keys:
        try:
            workers[key] = Worker(key, pythons[key], endpoint)
        except WorkerError as exc:
            first = str(exc).strip().splitlines()[-1]
            if key == "raw":
                raise
            if key == "official" and "No module named 'azure.ai" in str(exc):
                notes.append("official SDK not installed: skipped (use --official-python)")
            else:
                report.fail(f"{CLIENTS[key][1]} unavailable: {first}")
    return workers


def run_workloads(
    workers: dict[str, Worker],
    server: Server,
    ops: list[str],
    sizes: dict[str, int],
    rounds: int,
    retry_noisy: bool,
    report: Report,
) -> dict[str, dict[str, float]]:
    medians: dict[str, dict[str, float]] = {}
    keys = list(workers)
    pids = [server.proc.pid, *(w.proc.pid for w in workers.values())]
    for op in ops:
        n = sizes[op]
        times: dict[str, list[float]] = {k: [] for k in keys}
        gc_counts: dict[str, list[list[int]]] = {}
        broken: set[str] = set()
        log(f"workload {op} (n={n}): 1 warm-up + {rounds} rounds x {len(keys)} clients")
        r = done = redone = 0
        while done <= rounds:
            order = keys[r % len(keys) :] + keys[: r % len(keys)]
            r += 1
            meter = NoiseMeter(pids)
            got_round: dict[str, float] = {}
            for key in order:
                if key in broken:
                    continue
                try:
                    res = workers[key].call({"op": op, "n": n}, timeout=300)
                except WorkerError as exc:
                    report.fail(f"workload {op}, {workers[key].label}: {exc}")
                    broken.add(key)
                    continue
                want = expected_counts(op, n)
                got = {k: res.get(k) for k in want}
                if got != want:
                    report.fail(f"workload {op}, {workers[key].label}: saw {got}, expected {want}")
                    broken.add(key)
                    continue
                got_round[key] = res["elapsed"]
                if "gc_collections" in res:
                    gc_counts.setdefault(key, []).append(res["gc_collections"])
            noisy = retry_noisy and meter.other_pct() > NOISY_PCT
            if noisy and redone < 3 * rounds:
                redone += 1
                wait_quiet(pids, max_wait=30)
                continue  # disturbed: this round is measured again
            if done > 0:  # round 0 is the warm-up
                for key, elapsed in got_round.items():
                    times[key].append(elapsed)
            done += 1
        if redone:
            log(f"  {redone} disturbed round(s) measured again")
        medians[op] = {k: statistics.median(v) for k, v in times.items() if v and k not in broken}
        title = TITLES[op].format(n=n, half=n // 2)
        report.out(f"### {title}")
        report.out()
        base = medians[op].get("raw")
        events = expected_counts(op, n).get("events", n)
        rows = []
        for key in keys:
            if key not in medians[op]:
                rows.append([workers[key].label, "error", "", "", "", ""])
                continue
            med = medians[op][key]
            ratio = med / base if base else float("nan")
            spread = f"{fmt_ms(min(times[key]))}-{fmt_ms(max(times[key]))}"
            target = ""
            if key == "voicelive":
                ok = "met" if ratio <= TARGETS[op] else "MISSED"
                target = f"<= {TARGETS[op]:.1f}x ({ok})"
            elif key == "official":
                target = f"(issue: {OFFICIAL_BASELINE[op]})"
            rows.append(
                [
                    workers[key].label,
                    fmt_ms(med),
                    spread,
                    f"{med / events * 1e6:.2f}",
                    f"{ratio:.2f}x",
                    target,
                ]
            )
        report.table(["client", "median ms", "min-max ms", "us/event", "vs raw", "target"], rows)
        if gc_counts:
            per_k = {
                k: [1000 * statistics.median(c[g] for c in v) / events for g in range(3)]
                for k, v in gc_counts.items()
            }
            report.out(
                "Collections per 1,000 events received (gen 0/1/2, median round; set by "
                "allocations, not timing): "
                + "; ".join(
                    f"{workers[k].label} {'/'.join(f'{x:.2f}' for x in v)}"
                    for k, v in per_k.items()
                )
            )
            report.out()
    return medians


def run_memory(
    keys: list[str], pythons: dict[str, str], server: Server, n: int, report: Report
) -> None:
    per_conn: dict[str, float] = {}
    labels: dict[str, str] = {}
    for key in keys:
        log(f"memory: {CLIENTS[key][1]}, {n} idle connections")
        try:
            worker = Worker(key, pythons[key], server.endpoint)
        except WorkerError as exc:
            report.fail(f"memory, {CLIENTS[key][1]}: {exc}")
            continue
        labels[key] = worker.label
        try:
            res = worker.call({"op": "mem", "n": n}, timeout=300)
            per_conn[key] = res["per_conn"]
        except WorkerError as exc:
            report.fail(f"memory, {worker.label}: {exc}")
        finally:
            worker.close()
    report.out(f"### Memory per open idle connection (RSS delta over {n} connections)")
    report.out()
    rows = []
    official = per_conn.get("official")
    for key, value in per_conn.items():
        target = ""
        if key == "voicelive" and official:
            target = "<= official (" + ("met" if value <= official else "MISSED") + ")"
        elif key == "raw":
            target = "(reference: one shared ClientSession)"
        rows.append([labels[key], f"{value / 1024:.1f}", target])
    if rows:
        report.table(["client", "KiB per connection", "target"], rows)


def run_concurrency(
    keys: list[str],
    pythons: dict[str, str],
    server: Server,
    sessions: list[int],
    duration: float,
    warmup: float,
    repeats: int,
    quiet_wait: float,
    report: Report,
) -> None:
    runs: dict[tuple[int, str], list[dict[str, Any]]] = {}
    hopeless: dict[str, int] = {}  # client -> N at which it fell far behind
    for i, n in enumerate(sessions):
        for rep in range(repeats):
            shift = (i + rep) % len(keys)
            for key in keys[shift:] + keys[:shift]:
                label = CLIENTS[key][1]
                if key in hopeless:
                    continue
                log(f"concurrency: {label}, {n} sessions x {duration:g}s, run {rep + 1}/{repeats}")
                try:
                    worker = Worker(key, pythons[key], server.endpoint)
                except WorkerError as exc:
                    report.fail(f"concurrency, {label}: {exc}")
                    hopeless[key] = n
                    continue
                pids = [server.proc.pid, worker.proc.pid]
                try:
                    tries = 3 if quiet_wait > 0 else 1
                    for attempt in range(tries):
                        if quiet_wait > 0:
                            wait_quiet(pids, max_wait=quiet_wait)
                        server.stats(reset=True)
                        meter = NoiseMeter(pids)
                        res = worker.call(
                            {"op": "conc", "n": n, "duration": duration, "warmup": warmup},
                            timeout=3 * duration + 60 + n * 0.1,
                        )
                        res["noise_pct"] = meter.other_pct()
                        res["server"] = server.stats()
                        log(
                            f"  p99 {res['p99_ms']:.1f} ms, cpu {res['cpu_pct']:.0f}%, gc max "
                            f"{res['gc_max_pause_ms']:.0f} ms, other processes "
                            f"{res['noise_pct']:.0f}%"
                        )
                        if res["noise_pct"] <= NOISY_PCT or attempt == tries - 1:
                            break
                        log("  disturbed by other processes: measuring again")
                    runs.setdefault((n, key), []).append(res)
                except WorkerError as exc:
                    report.fail(f"concurrency {n}, {label}: {exc}")
                finally:
                    worker.close()
                time.sleep(1.0)
        for key in keys:
            done = runs.get((n, key), [])
            if key not in hopeless and done and min(r["p99_ms"] for r in done) > 1000:
                hopeless[key] = n  # seconds behind already: larger N only gets worse

    summary: dict[tuple[int, str], dict[str, Any]] = {}
    rows = []
    for n in sessions:
        for key in keys:
            done = runs.get((n, key), [])
            if not done:
                if key in hopeless and hopeless[key] < n:
                    rows.append(
                        [
                            f"{n:,}",
                            CLIENTS[key][1],
                            "not run",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            f"NO (p99 > 1 s at {hopeless[key]:,})",
                        ]
                    )
                continue
            med = statistics.median
            agg = {
                "p50": med(r["p50_ms"] for r in done),
                "p99": med(r["p99_ms"] for r in done),
                "max": max(r["max_ms"] for r in done),
                "cpu": med(r["cpu_pct"] for r in done),
                "rss": max(r["peak_rss"] for r in done),
                "srv": med(r["server"]["cpu_pct"] for r in done),
                "gc": max(r["gc_max_pause_ms"] for r in done),
                "noise": max(r["noise_pct"] for r in done),
                "complete": all(r["deltas_seen"] == r["deltas_expected"] for r in done),
            }
            summary[(n, key)] = agg
            keeps_up = agg["p99"] < KEEP_UP_P99_MS and agg["complete"]
            rows.append(
                [
                    f"{n:,}",
                    CLIENTS[key][1],
                    f"{agg['p50']:.1f}",
                    f"{agg['p99']:.1f}",
                    "/".join(f"{r['p99_ms']:.0f}" for r in done),
                    f"{agg['max']:.0f}",
                    f"{agg['cpu']:.0f}%",
                    f"{agg['rss'] / 2**20:.0f}",
                    f"{agg['srv']:.0f}%",
                    f"{agg['gc']:.0f}",
                    f"{agg['noise']:.0f}%",
                    "yes" if keeps_up else ("NO" if agg["complete"] else "NO (lost deltas)"),
                ]
            )
    report.out(
        f"### Concurrency: N sessions in one process, 100 ms audio deltas at 10/s each, "
        f"{duration:g}s per run (first {warmup:g}s not measured), {repeats} run(s) per cell"
    )
    report.out()
    if rows:
        report.table(
            [
                "N",
                "client",
                "p50 lag ms",
                "p99 lag ms",
                "p99 per run",
                "max lag ms",
                "client CPU",
                "peak RSS MiB",
                "server CPU",
                "max GC pause ms",
                "other procs",
                "keeps up (p99 < 100 ms)",
            ],
            rows,
        )
    report.out(
        "Lag: the server's `time.time()` stamp, written into each frame right before it goes "
        "to the socket, to the client's `time.time()` once the typed event and its audio "
        "bytes are in hand. p50/p99/CPU: median over runs; max lag, RSS, GC pause: worst "
        "run. CPU: client process user+sys time over the measured window, % of one core. "
        "Other procs: CPU used by processes outside the benchmark during the run (worst run), "
        "% of one core; a run above 30% is measured again (up to 3 tries)."
    )
    report.out()
    gc_table(sessions, keys, runs, report)
    paired_ratios(sessions, runs, report)
    vl1, raw1 = summary.get((1000, "voicelive")), summary.get((1000, "raw"))
    if vl1 and raw1:
        p99r, cpur = vl1["p99"] / raw1["p99"], vl1["cpu"] / raw1["cpu"]
        ok = "met" if p99r <= 1.5 and cpur <= 1.5 else "MISSED"
        report.out(
            f"- voicelive vs raw at 1,000: p99 lag {p99r:.2f}x, CPU {cpur:.2f}x "
            f"(target <= 1.5x both: {ok})"
        )
    vl2 = summary.get((2000, "voicelive"))
    if vl2:
        ok = "met" if vl2["p99"] < KEEP_UP_P99_MS and vl2["complete"] else "MISSED"
        report.out(
            f"- voicelive at 2,000 sessions: p99 {vl2['p99']:.1f} ms (target < 100 ms: {ok})"
        )
    if vl1 or vl2:
        report.out()


def gc_table(
    sessions: list[int],
    keys: list[str],
    runs: dict[tuple[int, str], list[dict[str, Any]]],
    report: Report,
) -> None:
    """What the collector did in the same concurrency runs (medians over runs; max: worst)."""
    rows = []
    for n in sessions:
        for key in keys:
            done = [r for r in runs.get((n, key), []) if "gc_per_s" in r]
            if not done:
                continue
            med = statistics.median
            rows.append(
                [
                    f"{n:,}",
                    CLIENTS[key][1],
                    "/".join(f"{med(r['gc_per_s'][g] for r in done):.1f}" for g in range(3)),
                    f"{med(r.get('gc0_per_1k_frames', float('nan')) for r in done):.2f}",
                    f"{med(r['gc_promoted_per_s'] for r in done):,.0f}",
                    "/".join(str(r["gc_full"]) for r in done),
                    f"{max(r['gc_full_max_ms'] for r in done):.0f}",
                    f"{max(r['gc_max_pause_ms'] for r in done):.0f}",
                    f"{med(r['tracked_per_conn'] for r in done):.1f}",
                    f"{med(r['tracked_total'] for r in done) / 1000:,.0f}k",
                ]
            )
    if not rows:
        return
    report.out("### Garbage collection in the same concurrency runs")
    report.out()
    report.table(
        [
            "N",
            "client",
            "collections/s gen0/1/2",
            "gen0 per 1k frames",
            "promoted to gen2 /s",
            "full GCs per run",
            "max full GC ms",
            "max any GC ms",
            "tracked objs/conn",
            "tracked objs (all)",
        ],
        rows,
    )
    report.out(
        "Collections/s: from `gc.get_stats()` over the measured window; per 1k frames: the "
        "window's gen-0 collections over the frames stamped in it. Promoted: survivors "
        "of generation-1 and full collections (objects in generations 0+1 when one starts, "
        "minus what it freed), via `gc.callbacks`. Full GCs and pauses: `gc.callbacks` "
        "start/stop inside the window. Tracked objects per connection: `len(gc.get_objects())` "
        "after opening the N sessions minus before, over N; all: the whole process then."
    )
    report.out()


def paired_ratios(
    sessions: list[int], runs: dict[tuple[int, str], list[dict[str, Any]]], report: Report
) -> None:
    """voicelive / raw per paired run (run i of each client ran back to back)."""
    lines = []
    for n in sessions:
        vl, raw = runs.get((n, "voicelive"), []), runs.get((n, "raw"), [])
        if not vl or not raw:
            continue
        p99 = [v["p99_ms"] / r["p99_ms"] for v, r in zip(vl, raw, strict=False) if r["p99_ms"]]
        cpu = [v["cpu_pct"] / r["cpu_pct"] for v, r in zip(vl, raw, strict=False) if r["cpu_pct"]]
        gc_max = max(v["gc_max_pause_ms"] for v in vl)
        ok = all(x <= 1.0 for x in p99) and all(x <= 1.0 for x in cpu)
        lines.append(
            f"- {n:,} sessions, voicelive/raw per paired run: p99 lag "
            + ", ".join(f"{x:.2f}x" for x in p99)
            + "; CPU "
            + ", ".join(f"{x:.2f}x" for x in cpu)
            + f" (target <= 1.0x in every run: {'met' if ok else 'MISSED'}); "
            + f"voicelive max GC pause {gc_max:.0f} ms"
            + (f" (target < 50 ms: {'met' if gc_max < 50 else 'MISSED'})" if n >= 2000 else "")
        )
        if n >= 2000:  # where raw keeps up (p99 < 100 ms), voicelive keeps up too
            pairs = list(zip(vl, raw, strict=False))
            raw_up = [v["p99_ms"] < 100 for v, r in pairs if r["p99_ms"] < 100]
            vl_up = sum(v["p99_ms"] < 100 for v, _ in pairs)
            verdict = "no run to judge by" if not raw_up else "met" if all(raw_up) else "MISSED"
            lines.append(
                f"- {n:,} sessions kept up (p99 < 100 ms): raw in {len(raw_up)} of {len(pairs)} "
                f"runs, voicelive in {vl_up} of {len(pairs)} (target: voicelive keeps up "
                f"wherever raw does: {verdict})"
            )
    for line in lines:
        report.out(line)
    if lines:
        report.out()


# --------------------------------------------------------------------------- startup
STARTUP_COMMANDS: dict[str, tuple[str, list[str]]] = {
    # key: (label, arguments after the interpreter)
    "import_vl": ("import voicelive.aio", ["-c", "import voicelive.aio"]),
    "import_official": ("import azure.ai.voicelive.aio", ["-c", "import azure.ai.voicelive.aio"]),
    "help": ("voicelive --help", ["-m", "voicelive", "--help"]),
    "version": ("voicelive --version", ["-m", "voicelive", "--version"]),
}


# Run in a fresh process: import, then the first and a second decode of each frame type.
FIRST_DECODE_CHILD = """
import json, sys, time
t0 = time.perf_counter()
import voicelive.aio
import_s = time.perf_counter() - t0
from voicelive._protocol import Side, VoiceLiveProtocol
proto = VoiceLiveProtocol(Side.CLIENT)
out = {"import_s": import_s}
for name, frame in json.loads(sys.stdin.read()):
    t = time.perf_counter()
    event = proto.decode_server_frame(frame)
    first = time.perf_counter() - t
    assert event.type == name, event.type
    t = time.perf_counter()
    proto.decode_server_frame(frame)
    out[name] = [first, time.perf_counter() - t]
print(json.dumps(out))
"""

# Process start -> the first event decoded, as an application does it: import, connect, recv.
START_TO_EVENT_CHILD = """
import asyncio, sys
from {package}.aio import connect
from azure.core.credentials import AzureKeyCredential

async def main():
    credential = AzureKeyCredential(sys.argv[2])
    manager = connect(
        endpoint=sys.argv[1], credential=credential, model=sys.argv[3],
        query={{sys.argv[4]: sys.argv[5]}},
    )
    async with manager as conn:
        event = await conn.recv()
        assert event.type == "session.created", event.type
        sys.stdout.write("event\\n")
        sys.stdout.flush()

asyncio.run(main())
"""


def compile_bytecode(python: str, package: str) -> bool:
    """Write ``package``'s bytecode, as ``pip install`` does for a wheel. An editable checkout
    run with ``PYTHONDONTWRITEBYTECODE`` set would otherwise compile every module from source
    on every start (about 10 % of voicelive's import) while the installed SDK has its ``.pyc``."""
    code = (
        "import compileall, importlib.util, os, sys\n"
        f"spec = importlib.util.find_spec({package!r})\n"
        "ok = spec is not None and compileall.compile_dir("
        "os.path.dirname(spec.origin), quiet=1)\n"
        "sys.exit(0 if ok else 1)"
    )
    done = subprocess.run([python, "-c", code], capture_output=True, check=False, timeout=300)
    return done.returncode == 0


def run_startup(pythons: dict[str, str], server: Server, rounds: int, report: Report) -> None:
    """Whole-process wall time of imports and CLI commands, interleaved, medians; the first
    connect (connect + ``session.created`` decoded) in a fresh worker per client; the first
    decode of each frame type in a fresh process; process start -> first event."""
    times: dict[str, list[float]] = {k: [] for k in STARTUP_COMMANDS}
    available = dict(STARTUP_COMMANDS)
    probe = subprocess.run(
        [pythons["official"], "-c", "import azure.ai.voicelive.aio"],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        del available["import_official"]
    compiled = [compile_bytecode(pythons["voicelive"], "voicelive")]
    if "import_official" in available:
        compiled.append(compile_bytecode(pythons["official"], "azure.ai.voicelive"))
    keys = list(available)
    log(f"startup: {rounds} interleaved rounds of {', '.join(keys)}")
    for r in range(rounds + 1):
        order = keys[r % len(keys) :] + keys[: r % len(keys)]
        for key in order:
            python = pythons["official"] if key == "import_official" else pythons["voicelive"]
            t0 = time.perf_counter()
            subprocess.run(
                [python, *available[key][1]], capture_output=True, check=True, timeout=120
            )
            if r > 0:  # round 0 is the warm-up (disk cache)
                times[key].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items() if v}
    report.out(f"### Start-up: whole process wall time, {rounds} interleaved rounds, medians")
    report.out()
    rows = []
    base = med.get("import_official")
    for key, value in med.items():
        note = ""
        if key == "import_vl" and base:
            ratio = value / base
            note = f"{ratio:.2f}x official (target <= 1.0x: {'met' if ratio <= 1.0 else 'MISSED'})"
        elif key in ("help", "version"):
            note = f"target < 0.35 s: {'met' if value < 0.35 else 'MISSED'}"
        lo, hi = min(times[key]), max(times[key])
        rows.append([available[key][0], f"{value:.3f}", f"{lo:.3f}-{hi:.3f}", note])
    report.table(["command", "median s", "min-max s", ""], rows)
    report.out(
        "Bytecode of voicelive (and of the official SDK) compiled before timing, as a wheel "
        "install does" + ("" if all(compiled) else " (**compiling failed for one of them**)") + "."
    )
    report.out()
    # first connect in a fresh process: import cost is paid before, at worker start
    first: dict[str, list[float]] = {}
    for _ in range(3):
        for key in ("raw", "voicelive", "official"):
            if key == "official" and "import_official" not in available:
                continue
            try:
                worker = Worker(key, pythons[key], server.endpoint)
            except WorkerError:
                continue
            try:
                res = worker.call({"op": "first"}, timeout=120)
                first.setdefault(key, []).append(res["first_open_s"])
            finally:
                worker.close()
    if first:
        report.out(
            "First `connect()` in a fresh process (WebSocket handshake + `session.created` "
            "decoded; median of 3 fresh processes): "
            + ", ".join(
                f"{CLIENTS[k][1]} {1000 * statistics.median(v):.1f} ms" for k, v in first.items()
            )
        )
        report.out()
    run_first_decode(pythons["voicelive"], rounds, report)
    run_start_to_event(pythons, server, rounds, "import_official" in available, report)


def run_first_decode(python: str, rounds: int, report: Report) -> None:
    """Time of ``decode_server_frame`` for the first frame of a type in a fresh process (what
    anything built on first use would add) and for a second identical frame."""
    audio = audio_response_frames(2)
    delta = next(f for f in audio if '"response.audio.delta"' in f)
    frames = [
        ("session.created", session_created()),
        ("response.audio.delta", delta),
        ("response.done", audio[-1]),
    ]
    samples: dict[str, list[list[float]]] = {name: [] for name, _ in frames}
    runs = max(3, min(rounds, 11))
    for _ in range(runs):
        done = subprocess.run(
            [python, "-c", FIRST_DECODE_CHILD],
            input=json.dumps(frames),
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        result = json.loads(done.stdout.splitlines()[-1])
        for name in samples:
            samples[name].append(result[name])
    report.out(
        f"### First decoded event in a fresh process (voicelive, median of {runs} processes)"
    )
    report.out()
    rows = []
    for name, pairs in samples.items():
        first = statistics.median(p[0] for p in pairs)
        again = statistics.median(p[1] for p in pairs)
        rows.append([f"`{name}`", f"{1e6 * first:.0f}", f"{1e6 * again:.0f}"])
    report.table(["frame", "first decode us", "second decode us"], rows)
    report.out(
        "`VoiceLiveProtocol.decode_server_frame` on the frame text (what `recv()` runs once a "
        "frame has arrived), after `import voicelive.aio`, frames in the order above."
    )
    report.out()


def run_start_to_event(
    pythons: dict[str, str], server: Server, rounds: int, official: bool, report: Report
) -> None:
    """Process start -> ``session.created`` decoded: a fresh interpreter imports the client,
    connects and receives, as an application does; interleaved, medians."""
    keys = ["voicelive"] + (["official"] if official else [])
    package = {"voicelive": "voicelive", "official": "azure.ai.voicelive"}
    times: dict[str, list[float]] = {k: [] for k in keys}
    args = [server.endpoint, API_KEY, MODEL, BENCH_PARAM, MODE_IDLE]
    for r in range(rounds + 1):
        for key in keys[r % len(keys) :] + keys[: r % len(keys)]:
            code = START_TO_EVENT_CHILD.format(package=package[key])
            t0 = time.perf_counter()
            proc = subprocess.Popen(
                [pythons[key], "-c", code, *args],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                line = proc.stdout.readline() if proc.stdout else ""
                elapsed = time.perf_counter() - t0
                _, err = proc.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise
            if line.strip() != "event" or proc.returncode != 0:
                raise RuntimeError(f"start-to-event child failed ({key}): {err[-500:]}")
            if r > 0:  # round 0 is the warm-up
                times[key].append(elapsed)
    med = {k: statistics.median(v) for k, v in times.items()}
    report.out(
        f"### Process start -> first event (`session.created` decoded), {rounds} interleaved "
        "rounds, medians"
    )
    report.out()
    rows = []
    for key in keys:
        note = f"{med[key] / med['official']:.2f}x official" if official else ""
        lo, hi = min(times[key]), max(times[key])
        rows.append([CLIENTS[key][1], f"{med[key]:.3f}", f"{lo:.3f}-{hi:.3f}", note])
    report.table(["client", "median s", "min-max s", ""], rows)
    report.out(
        "Spawn of a fresh interpreter to the line it prints once `recv()` returned "
        "`session.created` from the local bench server (import, connect, handshake, decode)."
    )
    report.out()


# --------------------------------------------------------------------------- main
def machine_info(versions: dict[str, dict[str, Any]]) -> list[str]:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "-C", str(BENCH_DIR), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        commit = ""
    lines = [
        f"- machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}",
        f"- repository at {commit or 'unknown commit'}",
        f"- harness/server Python {platform.python_version()} ({sys.executable})",
    ]
    for key, hello in versions.items():
        vers = ", ".join(f"{k} {v}" for k, v in hello["versions"].items())
        lines.append(f"- {CLIENTS[key][1]}: Python {hello['python']}; {vers}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="tiny sizes: a CI smoke run")
    ap.add_argument("--only", default="a,b,c,mem,conc", help="comma list of a,b,c,mem,conc,start")
    ap.add_argument("--clients", default="raw,voicelive,official")
    ap.add_argument("--rounds", type=int, help="measured rounds per client (default 21)")
    ap.add_argument("--audio-deltas", type=int, help="(a) size (default 2000)")
    ap.add_argument("--small-events", type=int, help="(b) size (default 5000)")
    ap.add_argument("--appends", type=int, help="(c) size (default 5000)")
    ap.add_argument("--mem-connections", type=int, help="default 200")
    ap.add_argument("--conc-sessions", help="comma list (default 500,1000,2000,3000)")
    ap.add_argument("--conc-duration", type=float, help="seconds per run (default 8)")
    ap.add_argument("--conc-repeats", type=int, help="runs per (N, client) (default 3)")
    ap.add_argument("--python", default=sys.executable, help="interpreter for raw/voicelive")
    ap.add_argument(
        "--official-python",
        help="interpreter with azure-ai-voicelive installed (default: this one, if it has it)",
    )
    ap.add_argument(
        "--quiet-wait",
        type=float,
        help="before each concurrency run, wait up to this many seconds for other processes "
        "to go quiet (default 120; 0 in --quick); 0 also keeps disturbed rounds of (a)-(c) "
        "instead of measuring them again (a machine that is never quiet)",
    )
    ap.add_argument("--output", help="also write the report (markdown) to this file")
    args = ap.parse_args(argv)

    q = args.quick
    sizes = {
        "a": args.audio_deltas or (50 if q else 2000),
        "b": args.small_events or (100 if q else 5000),
        "c": args.appends or (100 if q else 5000),
    }
    rounds = args.rounds or (2 if q else 21)
    mem_n = args.mem_connections or (20 if q else 200)
    conc_n = [
        int(x) for x in (args.conc_sessions or ("20" if q else "500,1000,2000,3000")).split(",")
    ]
    duration = args.conc_duration or (2.0 if q else 8.0)
    repeats = args.conc_repeats or (1 if q else 3)
    quiet_wait = args.quiet_wait if args.quiet_wait is not None else (0.0 if q else 120.0)
    warmup = min(2.0, duration / 4)
    only = [x.strip() for x in args.only.split(",") if x.strip()]
    wanted = [k for k in CLIENTS if k in args.clients.split(",")]
    if "raw" not in wanted:
        wanted.insert(0, "raw")
    pythons = {"raw": args.python, "voicelive": args.python}
    pythons["official"] = args.official_python or args.python

    raise_nofile()
    report = Report()
    notes: list[str] = []
    t_start = time.time()
    busy0, own0 = busy_seconds(), own_cpu_seconds()
    server = Server(sys.executable)
    log(f"server on {server.endpoint}")
    try:
        workers = start_workers(wanted, pythons, server.endpoint, report, notes)
        hellos = {k: w.hello for k, w in workers.items()}
        present = list(workers)
        cmd = "python " + " ".join(
            shlex.quote(a) for a in [os.path.relpath(__file__), *(argv or sys.argv[1:])]
        )
        report.out("## Results")
        report.out()
        report.out(f"Command: `{cmd}`  ")
        report.out(f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
        report.out()
        for line in machine_info(hellos):
            report.out(line)
        for note in notes:
            report.out(f"- note: {note}")
        report.out(
            f"- sizes: (a) {sizes['a']} deltas, (b) {sizes['b']} events, (c) {sizes['c']} "
            f"appends; {rounds} interleaved rounds after 1 warm-up; medians"
        )
        report.out()
        ops = [op for op in ("a", "b", "c") if op in only]
        if ops:
            run_workloads(workers, server, ops, sizes, rounds, not q and quiet_wait > 0, report)
        for w in workers.values():
            w.close()
        if "mem" in only:
            mem_keys = [k for k in present if k != "raw"] + ["raw"]
            run_memory(mem_keys, pythons, server, mem_n, report)
        if "start" in only:
            run_startup(pythons, server, 2 if q else rounds, report)
        if "conc" in only:
            run_concurrency(
                present, pythons, server, conc_n, duration, warmup, repeats, quiet_wait, report
            )
    finally:
        server.stop()
    wall = time.time() - t_start
    other = busy_seconds() - busy0 - (own_cpu_seconds() - own0)
    report.out(
        f"Total wall time {wall:.0f}s. Other processes on the machine used "
        f"{100 * max(0.0, other) / wall:.0f}% of one core on average meanwhile "
        f"(noise indicator: ~0% means a quiet machine)."
    )
    if report.failures:
        report.out()
        report.out("Failures:")
        for f in report.failures:
            report.out(f"- {f.splitlines()[0]}")
    if args.output:
        Path(args.output).write_text("\n".join(report.lines) + "\n")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
