"""The benchmark suite runs end to end at tiny sizes (``bench/run.py --quick``).

Only that it runs and prints its tables is checked: speed is never asserted in tests.
The official SDK is used when this interpreter has it and skipped otherwise.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[2] / "bench" / "run.py"


@pytest.mark.timeout(180)  # heavy: see [tool.pytest.ini_options] timeout
def test_bench_quick_runs_and_prints_tables() -> None:
    proc = subprocess.run(
        [sys.executable, str(RUN), "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    detail = f"stdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    assert proc.returncode == 0, detail
    out = proc.stdout
    assert "| client" in out, detail
    for title in ("### (a) receive audio", "### (b) receive", "### (c) send", "### Memory"):
        assert title in out, detail
    assert "### Concurrency" in out, detail
    assert "| raw aiohttp" in out, detail
    assert "| voicelive" in out, detail


@pytest.mark.timeout(300)  # heavy: dozens of fresh interpreters
def test_bench_start_section_prints_its_tables() -> None:
    proc = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--only", "start", "--clients", "raw,voicelive"],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    detail = f"stdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    assert proc.returncode == 0, detail
    out = proc.stdout
    assert "| import voicelive.aio" in out, detail
    assert "compiled before timing, as a wheel install does." in out, detail
    for frame in ("session.created", "response.audio.delta", "response.done"):
        assert f"| `{frame}`" in out, detail
    assert "### Process start -> first event" in out, detail
    # (the column is as wide as its longest name: "official SDK" only when it is installed)
    assert re.search(r"^\| voicelive +\| [0-9.]+ ", out, re.MULTILINE), detail
