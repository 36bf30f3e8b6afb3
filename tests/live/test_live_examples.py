"""The emulator scenarios against the real service: every example in examples/ (the ones
``tests/examples`` runs against the emulator) runs against ``AZURE_COGNITIVE_SERVICES_ENDPOINT``
with the key or Entra ID credential in the environment, the way a user runs them.

A real model does not answer word for word like the emulator, so each example must finish
without an error, print output, and never fall back to the emulator.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NEEDS_HARDWARE = {"microphone.py"}
SCRIPTS = sorted(
    p.name
    for p in EXAMPLES.glob("*.py")
    if not p.name.startswith("_") and p.name not in NEEDS_HARDWARE
)

pytestmark = pytest.mark.live


def test_the_live_tier_covers_every_example() -> None:
    assert SCRIPTS  # the same list tests/examples checks against the emulator
    assert "quickstart.py" in SCRIPTS


@pytest.mark.timeout(180)
@pytest.mark.parametrize("name", SCRIPTS)
def test_example_runs_against_the_service(name: str, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        cwd=tmp_path,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
    assert proc.returncode == 0, f"{name} failed:\n{proc.stdout}\n{proc.stderr}"
    assert proc.stdout.strip(), f"{name} printed nothing"
    assert "emulator at" not in proc.stdout  # took the Azure branch
