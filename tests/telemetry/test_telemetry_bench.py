"""bench/bench_telemetry.py runs (smoke test only: timings are never asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "bench_telemetry.py"


def test_quick_run() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for label in ("off (A/A)", "on, API no-op", "on, SDK", "loopback WebSocket"):
        assert label in out
    assert "vs off" in out
