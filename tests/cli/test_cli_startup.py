"""``voicelive --help`` / ``--version`` start without the client stack (fast start)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ["pydantic", "voicelive.models", "aiohttp", "numpy", "azure.core", "asyncio"]


def _modules_after_cli(*args: str) -> tuple[str, set[str]]:
    code = (
        "import json, sys\n"
        "from voicelive.cli import main\n"
        "try:\n"
        f"    main({list(args)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    *text, modules = out.stdout.splitlines()
    return "\n".join(text), set(json.loads(modules))


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["demo", "--help"]])
def test_help_and_version_do_not_import_the_client_stack(args: list[str]) -> None:
    text, loaded = _modules_after_cli(*args)
    assert "voicelive" in text  # the command did print its answer
    assert sorted(m for m in HEAVY if m in loaded) == []


def test_a_command_still_gets_everything_it_uses() -> None:
    _, loaded = _modules_after_cli("replay", "/nonexistent/cassette.jsonl")
    assert {"voicelive.aio", "voicelive.testing", "asyncio"} <= loaded
