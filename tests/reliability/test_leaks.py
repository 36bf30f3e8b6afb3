"""Item 5: connect/close cycles leak nothing (fds, tasks, memory, objects, warnings).

``_leak_worker.py`` runs ``--cycles`` / ``VOICELIVE_CYCLES`` (default 1,000) connect/close
cycles of every kind -- normal sessions, server closes 1000/1001/1011, TCP drops, an
exception inside ``async with``, a caller-supplied session, failed handshakes (401, 503,
redirect, refused, insecure ws://, handshake timeout) -- in a subprocess with
``-X dev -W error`` (asyncio debug mode, every warning an error) against servers in a second
subprocess, so only the client is measured. Asserted against the state after a warm-up:
no growth in open fds or asyncio tasks, memory within documented bounds, no connection
objects left alive, and nothing on stderr (no "Unclosed client session", no "Task was
destroyed but it is pending", no ResourceWarning, no "Exception ignored").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _rel_support import CANARIES, FIGURES, MiB

HERE = Path(__file__).parent

TRACED_BOUND = 512 * 1024
"""Documented bound: Python-heap growth (tracemalloc) over all cycles after the warm-up."""
RSS_BOUND = 8 * MiB
"""Documented bound: RSS growth over all cycles after the warm-up."""

BAD_STDERR = (
    "Unclosed",
    "Task was destroyed",
    "Exception ignored",
    "ResourceWarning",
    "Traceback",
    "was never awaited",
    "Error",
)


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONASYNCIODEBUG": "1"}
    return subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=HERE,
        check=False,
    )


@pytest.mark.timeout(240)  # heavy: see [tool.pytest.ini_options] timeout
def test_connect_close_cycles_leak_nothing(rel_config: Any) -> None:
    cycles = rel_config.cycles
    proc = _run([str(HERE / "_leak_worker.py"), str(cycles)], timeout=60 + cycles * 0.1)
    assert proc.returncode == 0, proc.stderr[-3000:]
    bad = [marker for marker in BAD_STDERR if marker in proc.stderr]
    assert not bad, proc.stderr[-3000:]
    for canary in CANARIES:
        assert canary not in proc.stdout + proc.stderr
    (line,) = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    result = json.loads(line[len("RESULT ") :])
    before, after = result["before"], result["after"]
    deltas = {key: after[key] - before[key] for key in before}
    FIGURES[f"leaks over {cycles} cycles"] = (
        f"fds {deltas['fds']:+d}, tasks {deltas['tasks']:+d}, "
        f"RSS {deltas['rss'] / MiB:+.2f} MiB (bound {RSS_BOUND // MiB} MiB), "
        f"tracemalloc {deltas['traced'] / 1024:+.0f} KiB (bound {TRACED_BOUND // 1024} KiB), "
        f"{result['seconds']} s in asyncio debug mode; alive after: {result['alive']}"
    )
    assert sum(result["kinds"].values()) == cycles
    assert len(result["kinds"]) == 13  # every kind of cycle ran
    assert deltas["fds"] <= 0, deltas
    assert deltas["tasks"] <= 0, deltas
    assert deltas["traced"] < TRACED_BOUND, (deltas, result["top_allocations"])
    assert deltas["rss"] < RSS_BOUND, deltas
    # Nothing of a closed connection survives (the caller-supplied session is closed too).
    assert result["alive"]["VoiceLiveConnection"] <= 1
    assert result["alive"]["ClientWebSocketResponse"] <= 1
    assert result["alive"]["ClientSession"] <= 2
    assert result["alive"]["TCPConnector"] <= 2


def test_control_the_warning_scan_catches_an_unclosed_session() -> None:
    """Control: the same interpreter flags and stderr scan do report a leaked session."""
    code = (
        "import asyncio, aiohttp, gc\n"
        "async def main():\n"
        "    aiohttp.ClientSession()\n"
        "    gc.collect()\n"
        "asyncio.run(main())\n"
    )
    proc = _run(["-c", code], timeout=60)
    assert any(marker in proc.stderr for marker in BAD_STDERR), proc.stderr
