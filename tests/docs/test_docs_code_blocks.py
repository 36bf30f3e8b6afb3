"""The ```python blocks of the docs pages owned by this suite, and the README's quick start, run.

Each page's blocks run in order in one namespace (later blocks use names defined earlier),
against the emulator, in a temporary working directory and with no Azure variables. A block
right after an ``<!-- no-run: reason -->`` line is only compiled (it needs Azure). Pages owned
by other test suites (audio.md, testing.md, conversation.md, observability.md, reliability.md,
frameworks.md) are run there.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
# page -> number of ```python blocks it must have (a guard against a broken extractor)
PAGES = {
    "index.md": 0,
    "getting-started.md": 2,
    "concepts/connection.md": 4,
    "concepts/resources.md": 3,
    "concepts/events.md": 3,
    "concepts/errors.md": 1,
    "guides/telephony.md": 3,
    "guides/voice-live-events.md": 3,
    "guides/logging-and-security.md": 1,
    "migration.md": 2,
    "troubleshooting.md": 1,
    "cli.md": 0,
    "development.md": 0,
    "examples.md": 0,  # the examples are included from examples/ and run by tests/examples
}
NO_RUN = "<!-- no-run:"
# page -> text its blocks must print (they run against the emulator, which echoes)
EXPECT = {
    "getting-started.md": ["You said: Hello!"],
    "concepts/connection.md": ["session.created", "Be brief."],
    "concepts/resources.md": ["('session', 'instructoins')", '"turn_detection":null'],
    "concepts/events.md": [
        "You said: Say hello.",
        "bytes of audio",
        "voicelive.unknown brand.new.event 42",
    ],
    "concepts/errors.md": ["check your key (HTTP 401)"],
    "guides/telephony.md": [
        "truncated item_",
        "at 600 ms",
        "ended by caller",
        "s of μ-law audio for the caller",
    ],
    "guides/voice-live-events.md": ['"output_audio_timestamp_types":["word"]', "ms  Hello!"],
    "migration.md": [
        "closed with 1001: session expired",
        "event.delta as is: 74880 bytes of audio",
        "base64-decoded again: 2571 bytes of noise, 0 chunks raised binascii.Error",
    ],
}


def python_blocks(text: str) -> list[tuple[str, bool]]:
    """``(code, runnable)`` for every top-level ```python block of a markdown text."""
    blocks: list[tuple[str, bool]] = []
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        if lines[i].rstrip("\n") == "```python":
            start = i + 1
            end = start
            while lines[end].rstrip("\n") != "```":
                end += 1
            previous = next((ln for ln in reversed(lines[:i]) if ln.strip()), "")
            blocks.append(("".join(lines[start:end]), not previous.startswith(NO_RUN)))
            i = end
        i += 1
    return blocks


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in ("AZURE_COGNITIVE_SERVICES_ENDPOINT", "AZURE_COGNITIVE_SERVICES_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    # The logging page configures logging: put it back for the rest of the suite.
    names = ("voicelive", "voicelive.connection")
    levels = {name: logging.getLogger(name).level for name in names}
    handlers = logging.root.handlers[:]
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    for handler in logging.root.handlers[:]:
        if handler not in handlers:
            logging.root.removeHandler(handler)


def test_every_owned_page_is_listed() -> None:
    owned_elsewhere = {
        "audio.md",
        "testing.md",
        "conversation.md",
        "observability.md",
        "reliability.md",
        "frameworks.md",  # tests/integrations (the framework recipes)
    }
    pages = {
        str(p.relative_to(DOCS))
        for p in DOCS.rglob("*.md")
        if not str(p.relative_to(DOCS)).startswith("reference/")
    }
    assert pages - owned_elsewhere == set(PAGES)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_docs_page_code_runs(page: str, capsys: pytest.CaptureFixture[str]) -> None:
    blocks = python_blocks((DOCS / page).read_text(encoding="utf-8"))
    assert len(blocks) == PAGES[page], f"{page}: found {len(blocks)} python blocks"
    namespace: dict[str, object] = {"__name__": f"docs_{page.replace('/', '_')[:-3]}"}
    for index, (code, runnable) in enumerate(blocks):
        compiled = compile(code, f"docs/{page}[block {index}]", "exec")
        if runnable:
            exec(compiled, namespace)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    for expected in EXPECT.get(page, []):
        assert expected in captured.out, f"{page}: {expected!r} not printed:\n{captured.out}"


def _readme_quick_start() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1]
    blocks = python_blocks(section)
    assert blocks, "README: no python block after '## Quick start'"
    return blocks[0][0]


def test_readme_quick_start_runs_against_the_emulator(capsys: pytest.CaptureFixture[str]) -> None:
    code = _readme_quick_start()
    assert len([line for line in code.splitlines() if line.strip()]) <= 16
    exec(compile(code, "README.md[quick start]", "exec"), {"__name__": "readme"})
    out = capsys.readouterr().out
    assert out.strip() == "You said: Hello!"


def test_readme_first_screen_has_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_screen = "\n".join(text.splitlines()[:40])
    assert (
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && voicelive demo"
        in first_screen
    )
    assert (
        'python3 -m venv .venv && . .venv/bin/activate && pip install -e ".[test]" && pytest'
        in first_screen
    )
