"""The recipes of docs/frameworks.md: each ```python block after a ``<!-- recipe: NAME -->``
line, run as a script in a fresh interpreter (frameworks and the import alias change
process-wide state)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "frameworks.md"
_RECIPE = re.compile(r"^<!-- recipe: ([\w-]+) -->\n```python\n(.*?)^```$", re.M | re.S)


def recipes() -> dict[str, str]:
    """Recipe name -> its code."""
    return dict(_RECIPE.findall(PAGE.read_text(encoding="utf-8")))


def run_script(code: str, cwd: Path, timeout: float = 180.0) -> subprocess.CompletedProcess[str]:
    """Run ``code`` with this interpreter in ``cwd``; no Azure variables, no tracing export."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AZURE_")}
    env["OPENAI_AGENTS_DISABLE_TRACING"] = "1"
    env["PYTHONPATH"] = str(ROOT / "src")
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
