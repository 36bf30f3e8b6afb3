"""Every recipe in README.md and docs/ runs as written, copied into a fresh project.

A *recipe* is a code block presented as a file or a command:

* a ```python block is a script: it is written to a file in a new temporary directory (outside
  the repository) and run with ``python <file>`` in a subprocess, with this environment's
  interpreter (where ``pip install -e ".[test]"`` put voicelive), no ``PYTHONPATH`` and no
  Azure variables. A block whose first line is ``# <name>.py`` is written under that name;
  ``# test_<name>.py`` is a test module and is run with ``pytest``, like the page says, with
  no pytest configuration of its own. A block that uses names it does not define continues
  the blocks above it on its page (a reader copies them in order): it runs after them, in the
  same file;
* a ```bash block is commands: each line runs with bash in the page's project directory.
  Installing (``python3 -m venv``, ``. .venv/bin/activate``, ``pip install``) is what this
  test environment already is, so those steps are not run; a block that is only
  ``voicelive mock-server ...`` is a server started "in one terminal": it runs in the
  background until the page is done, and the next blocks talk to it. Commands that name
  ``examples/`` or ``bench/`` run in a copy of those directories, as in a clone;
* a block right after ``<!-- no-run: reason -->`` is compiled only (python) or not run, and
  the reason is reported; a python fragment with a top-level ``await`` (a few lines out of an
  ``async def``, not presented as a file) is compiled only.

``text``, ``json``, ``yaml`` and ``diff`` blocks are output or formats, not recipes. A page's
recipes run in order in one project directory (a file one block writes is there for the next
command); pages run in parallel.
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from voicelive.audio import PCM16_16K, write_wav

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(
    [ROOT / "README.md"]
    + [p for p in (ROOT / "docs").rglob("*.md") if "reference" not in p.relative_to(ROOT).parts]
)
BIN = Path(sys.executable).parent
TIMEOUT = 180.0
"""Seconds one recipe may take (the machine running the suite may be loaded)."""
NO_RUN = "<!-- no-run:"
SETUP = re.compile(r"^(python3? -m venv\b|\. \S*activate$|source \S*activate$|pip install\b)")
"""Installation steps: this test environment is their result."""
NOT_RUN_COMMANDS = {
    "pytest": "runs voicelive's own test suite from a clone (the suite this test belongs to)",
    "python bench/bench_telemetry.py": "the full benchmark takes minutes; its --quick line runs",
}
"""Commands (as written, comment removed) that are not run, and why."""
USER_FILES = {"my-question.wav"}
"""Files a recipe expects the reader to have: the test provides a short spoken-like WAV."""
WARNING = re.compile(r"^\S*Warning: ", re.MULTILINE)


@dataclass
class Recipe:
    page: str
    index: int
    lang: str
    code: str
    line: int
    no_run: str | None = None

    @property
    def name(self) -> str:
        return f"{self.page}:{self.line} [{self.lang}]"


@dataclass
class Outcome:
    recipe: Recipe
    ran: bool
    ok: bool = True
    detail: str = ""


@dataclass
class PageResult:
    outcomes: list[Outcome] = field(default_factory=list)


def _comment_lines_above(lines: list[str], i: int) -> list[str]:
    above = []
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    while j >= 0 and lines[j].strip().startswith("<!--"):
        above.append(lines[j].strip())
        j -= 1
    return above


def recipes(page: Path) -> list[Recipe]:
    """The fenced blocks of a page, in order."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Recipe] = []
    i = 0
    while i < len(lines):
        match = re.match(r"^```(\w+)$", lines[i])
        if match:
            end = i + 1
            while lines[end] != "```":
                end += 1
            no_run = next(
                (
                    c[len(NO_RUN) :].rstrip("->").strip()
                    for c in _comment_lines_above(lines, i)
                    if c.startswith(NO_RUN)
                ),
                None,
            )
            found.append(
                Recipe(
                    str(page.relative_to(ROOT)),
                    len(found),
                    match.group(1),
                    "\n".join(lines[i + 1 : end]) + "\n",
                    i + 1,
                    no_run,
                )
            )
            i = end
        i += 1
    return found


def _free_names(tree: ast.Module) -> set[str]:
    """Names a module reads but neither binds nor gets from builtins."""
    bound: set[str] = set()
    loaded: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return loaded - bound - set(dir(builtins)) - {"__name__", "__file__"}


def _uninstalled_imports(code: str) -> list[str]:
    """Top-level modules the code imports that this environment does not have."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return sorted(n for n in names if importlib.util.find_spec(n) is None)


def python_kind(recipe: Recipe) -> str:
    """``"fragment"`` (top-level await), ``"continues"`` (uses earlier blocks) or ``"file"``."""
    try:
        compile(recipe.code, recipe.name, "exec")
    except SyntaxError:
        flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT | ast.PyCF_ONLY_AST
        compile(recipe.code, recipe.name, "exec", flags=flags)  # must still be valid Python
        return "fragment"
    return "continues" if _free_names(ast.parse(recipe.code)) else "file"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AZURE_")}
    for name in ("PYTHONPATH", "PYTEST_ADDOPTS", "PYTEST_PLUGINS", "COV_CORE_SOURCE"):
        env.pop(name, None)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["NO_COLOR"] = "1"
    return env


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


def _check(proc: subprocess.CompletedProcess[str]) -> str:
    """Empty when the process succeeded cleanly, else what went wrong."""
    if proc.returncode != 0:
        return f"exit {proc.returncode}\n{proc.stdout[-1500:]}\n{proc.stderr[-2500:]}"
    if "Traceback" in proc.stderr:
        return f"a traceback on stderr\n{proc.stderr[-2500:]}"
    if WARNING.search(proc.stderr):
        return f"a warning on stderr\n{proc.stderr[-2500:]}"
    return ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)  # polling a subprocess's port: no event to wait on
    raise AssertionError(f"nothing listened on port {port} within {TIMEOUT:g} s")


def _commands(code: str) -> list[str]:
    """The command lines of a bash block: comments dropped, ``\\`` continuations joined."""
    joined = re.sub(r"\\\n\s*", "", code)
    out = []
    for raw in joined.splitlines():
        line = re.sub(r"\s+#.*$", "", raw).strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def _user_files(cwd: Path, text: str) -> None:
    for name in USER_FILES:
        if name in text and not (cwd / name).exists():
            t = np.arange(16000 * 2) / 16000
            voice = 0.3 * np.sin(2 * np.pi * 160 * t) * (1 + np.sin(2 * np.pi * 4 * t)) / 2
            write_wav(cwd / name, (voice * 32767).astype(np.int16), PCM16_16K)


def _clone_parts(cwd: Path, text: str) -> None:
    for part in ("examples", "bench"):
        if f"{part}/" in text and not (cwd / part).exists():
            shutil.copytree(ROOT / part, cwd / part, ignore=shutil.ignore_patterns("__pycache__"))


class PageRunner:
    """Runs one page's recipes in order in one fresh project directory."""

    def __init__(self, page: Path) -> None:
        self.page = page
        self.result = PageResult()
        self.servers: list[subprocess.Popen[str]] = []
        self.port_map: dict[str, str] = {}

    def run(self) -> PageResult:
        with tempfile.TemporaryDirectory(prefix="voicelive-recipe-") as tmp:
            cwd = Path(tmp)
            assert ROOT not in cwd.parents
            earlier: list[str] = []
            try:
                for recipe in recipes(self.page):
                    self.result.outcomes.append(self._one(recipe, cwd, earlier))
            finally:
                for server in self.servers:
                    server.send_signal(signal.SIGINT)
                    try:
                        server.wait(30)
                    except subprocess.TimeoutExpired:
                        server.kill()
                        server.wait(30)
        return self.result

    def _one(self, recipe: Recipe, cwd: Path, earlier: list[str]) -> Outcome:
        if recipe.lang == "python":
            return self._python(recipe, cwd, earlier)
        if recipe.lang == "bash":
            return self._bash(recipe, cwd)
        return Outcome(recipe, ran=False, detail=f"a {recipe.lang} block (output or a format)")

    def _python(self, recipe: Recipe, cwd: Path, earlier: list[str]) -> Outcome:
        kind = python_kind(recipe)
        if recipe.no_run is not None:
            compile(recipe.code, recipe.name, "exec")
            return Outcome(recipe, ran=False, detail=f"no-run: {recipe.no_run}")
        if kind == "fragment":
            return Outcome(recipe, ran=False, detail="a fragment (top-level await), compiled")
        absent = _uninstalled_imports(recipe.code)
        if absent:  # an optional framework (pipecat, livekit, ...) this environment lacks
            return Outcome(recipe, ran=False, detail=f"needs {', '.join(absent)} (not installed)")
        code = recipe.code if kind == "file" else "\n".join([*earlier, recipe.code])
        missing = _free_names(ast.parse(code))
        if missing:  # a few lines about an object the page never builds: not a file
            names = ", ".join(sorted(missing))
            return Outcome(recipe, ran=False, detail=f"a fragment (uses {names}), compiled")
        earlier.append(recipe.code)
        first = recipe.code.splitlines()[0]
        named = re.fullmatch(r"# (\w+\.py)", first)
        filename = named.group(1) if named else f"recipe_{recipe.index}.py"
        (cwd / filename).write_text(code, encoding="utf-8")
        if filename.startswith("test_"):
            proc = _run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", filename], cwd
            )
        else:
            proc = _run([sys.executable, filename], cwd)
        problem = _check(proc)
        return Outcome(recipe, ran=True, ok=not problem, detail=problem)

    def _bash(self, recipe: Recipe, cwd: Path) -> Outcome:
        if recipe.no_run is not None:
            return Outcome(recipe, ran=False, detail=f"no-run: {recipe.no_run}")
        commands = [
            step.strip()
            for line in _commands(recipe.code)
            for step in line.split("&&")
            if not SETUP.match(step.strip())
        ]
        _user_files(cwd, recipe.code)
        _clone_parts(cwd, recipe.code)
        if len(commands) == 1 and commands[0].startswith("voicelive mock-server"):
            return self._server(recipe, commands[0], cwd)
        skipped = [c for c in commands if c in NOT_RUN_COMMANDS]
        to_run = [c for c in commands if c not in NOT_RUN_COMMANDS]
        if not to_run:
            reasons = "; ".join(f"{c}: {NOT_RUN_COMMANDS[c]}" for c in skipped) or "setup only"
            return Outcome(recipe, ran=False, detail=reasons)
        script = "set -euo pipefail\n" + "\n".join(self._ported(c) for c in to_run) + "\n"
        proc = _run(["bash", "-c", script], cwd)
        problem = _check(proc)
        return Outcome(recipe, ran=True, ok=not problem, detail=problem)

    def _ported(self, command: str) -> str:
        for written, free in self.port_map.items():
            command = command.replace(written, free)
        return command

    def _server(self, recipe: Recipe, command: str, cwd: Path) -> Outcome:
        written = re.search(r"--port (\d+)", command)
        assert written, f"{recipe.name}: a server recipe names its --port"
        port = _free_port()  # the written port may be taken on a shared machine
        self.port_map[f":{written.group(1)}"] = f":{port}"
        self.port_map[f"--port {written.group(1)}"] = f"--port {port}"
        proc = subprocess.Popen(
            ["bash", "-c", f"exec {self._ported(command)}"],
            cwd=cwd,
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.servers.append(proc)
        _wait_for_port(port, proc)
        return Outcome(recipe, ran=True)


_POOL = ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2)))
_FUTURES: dict[Path, Future[PageResult]] = {}


@pytest.fixture(scope="module")
def page_results(request: pytest.FixtureRequest) -> Iterator[dict[Path, Future[PageResult]]]:
    """The selected pages started at once (in a few worker threads); each test waits for its
    own. The summary test selects them all."""
    selected = {
        item.callspec.params["page"]
        for item in request.session.items
        if item.module is request.module and hasattr(item, "callspec")
    }
    if any(item.name == "test_what_runs_and_what_does_not" for item in request.session.items):
        selected = set(PAGES)
    for page in PAGES:
        if page in selected and page not in _FUTURES:
            _FUTURES[page] = _POOL.submit(lambda p=page: PageRunner(p).run())
    yield _FUTURES
    for future in _FUTURES.values():
        future.result(timeout=TIMEOUT * 10)


@pytest.mark.timeout(TIMEOUT * 20)
@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_recipe_of_the_page_runs_as_written(
    page: Path, page_results: dict[Path, Future[PageResult]]
) -> None:
    result = page_results[page].result(timeout=TIMEOUT * 20)
    failures = [o for o in result.outcomes if not o.ok]
    report = "\n\n".join(f"{o.recipe.name}: {o.detail}" for o in failures)
    assert not failures, report


@pytest.mark.timeout(TIMEOUT * 20)
def test_what_runs_and_what_does_not(page_results: dict[Path, Future[PageResult]]) -> None:
    outcomes = [o for f in page_results.values() for o in f.result(timeout=TIMEOUT * 20).outcomes]
    ran = [o for o in outcomes if o.ran]
    python_ran = [o for o in ran if o.recipe.lang == "python"]
    bash_ran = [o for o in ran if o.recipe.lang == "bash"]
    assert len(python_ran) >= 40, len(python_ran)
    assert len(bash_ran) >= 5, len(bash_ran)
    not_run = [o for o in outcomes if not o.ran and o.recipe.lang in ("python", "bash")]
    for outcome in not_run:
        assert outcome.detail, f"{outcome.recipe.name}: not run without a reason"
    print(f"\n{len(ran)} recipes ran ({len(python_ran)} python, {len(bash_ran)} bash)")
    for outcome in not_run:
        print(f"not run: {outcome.recipe.name}: {outcome.detail}")


def test_a_continuing_block_is_detected_and_a_file_is_not() -> None:
    def kind(code: str) -> str:
        return python_kind(Recipe("p", 0, "python", code, 1))

    assert kind("import asyncio\n\nasyncio.run(asyncio.sleep(0))\n") == "file"
    assert kind("async def f():\n    return await g()\n") == "continues"
    assert kind("x = await conn.recv()\n") == "fragment"
    assert kind("for i in range(2):\n    print(i)\n") == "file"


def test_bash_commands_are_split_as_a_shell_would() -> None:
    code = "export A=1   # a comment\nA=1 B=2 \\\n    python x.py\n# only a comment\n"
    assert _commands(code) == ["export A=1", "A=1 B=2 python x.py"]
    assert SETUP.match("pip install -e .")
    assert SETUP.match(". .venv/bin/activate")
    assert not SETUP.match("pytest")
