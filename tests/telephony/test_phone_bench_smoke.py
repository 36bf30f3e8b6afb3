"""bench/bench_telephony.py runs end to end at a tiny size (speed is never asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_telephony.py"


def test_bench_telephony_smoke() -> None:
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--calls", "3", "--seconds", "0.3", "--raw"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    detail = f"stdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    assert proc.returncode == 0, detail
    assert "| 3 | bridge |" in proc.stdout, detail
    assert "| 3 | **bridge adds** |" in proc.stdout, detail
    assert "| 3 | **raw relay adds** | " in proc.stdout, detail  # the floor, same run
    assert "WebSocket messages per 20 ms frame" in proc.stdout, detail
