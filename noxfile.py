"""Developer sessions: ``nox -s tests lint typecheck docs bench``."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint."""
    session.install("ruff")
    session.run("ruff", "check", "src", "tests", "bench", "examples")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package and the typing checks."""
    session.install("-e", ".[test]")
    session.run("mypy", "--strict", "src", "tests/typing")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site."""
    session.install("-e", ".[test]")
    session.run("mkdocs", "build", "--strict")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks side by side (installs the official SDK into this session's venv)."""
    session.install("-e", ".", "azure-ai-voicelive")
    session.run("python", "bench/run.py", *session.posargs)


@nox.session
def bench_telephony(session: nox.Session) -> None:
    """Phone bridge load: N simulated calls through one bridge process (50, 200, 500)."""
    session.install("-e", ".")
    session.run("python", "bench/bench_telephony.py", *session.posargs)


# The framework installs are large (pipecat ~145 MB, LiveKit ~140 MB), so this session is
# opt-in: it is not in nox.options.sessions and .ci/run never installs these packages.
FRAMEWORK_PACKAGES = (
    "pipecat-ai>=1.14,<2",  # the recipe imports pipecat.adapters.llm.schemas (1.14+)
    "livekit-agents>=1.8,<2",
    "livekit-plugins-azure[realtime]>=1.8,<2",
)


@nox.session
def frameworks(session: nox.Session) -> None:
    """Framework recipes (pipecat, LiveKit Agents, OpenAI Agents SDK) against the emulator.

    Opt in: ``nox -s frameworks`` (add ``--reuse-existing-virtualenvs`` while iterating).
    ``VOICELIVE_FRAMEWORKS=1`` makes the recipe tests in tests/integrations/frameworks run,
    and fail rather than skip if a framework is missing.
    """
    session.install("-e", ".[test,agents]", *FRAMEWORK_PACKAGES)
    session.run(
        "pytest",
        "tests/integrations",
        "-p",
        "no:cacheprovider",
        *session.posargs,
        env={"VOICELIVE_FRAMEWORKS": "1"},
    )


@nox.session(name="official-tests")
def official_tests(session: nox.Session) -> None:
    """The official azure-ai-voicelive unit tests, import-swapped, against voicelive.

    Opt in: ``nox -s official-tests`` (``-- --report`` prints the counts and exits 0). The
    official sdist is downloaded from the package index at run time into a temporary
    directory; nothing of it is kept. Every failure is an intended difference listed in
    docs/migration.md or a bug to fix.
    """
    session.install("-e", ".[test]")
    session.run("python", "tests/compat/run_official_tests.py", *session.posargs)


# Mutation testing: the modules users depend on most. mutmut first runs the tests listed in
# [tool.mutmut] once to learn which tests reach which function, then runs only those tests
# for each mutant. Score target: >= 85 % killed per module; survivors judged
# equivalent are listed with a reason in docs/development.md.
MUTATION_MODULES = [
    "voicelive._protocol",
    "voicelive.aio._connect",
    "voicelive.aio._connection",
    "voicelive.aio._resources",
    "voicelive.aio._transport",
    "voicelive.aio._hooks",
    "voicelive.audio._convert",
    "voicelive.audio._formats",
    "voicelive.audio._framing",
    "voicelive.audio._g711",
    "voicelive.audio._resample",
    "voicelive.audio._wav",
    "voicelive.audio._wire",
    "voicelive.conversation._playback",
    "voicelive.conversation._guard",
]


def _mutation_scores(modules: list[str]) -> dict[str, tuple[int, int, list[str]]]:
    """killed, total and the surviving mutants of each module, from mutmut's result files."""
    import json
    from pathlib import Path

    scores: dict[str, tuple[int, int, list[str]]] = {}
    for module in modules:
        meta = Path("mutants/src", *module.split(".")).with_suffix(".py.meta")
        if not meta.exists():
            continue
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        # killed: a test failed (1), pytest broke (3) or the mutant hung past the timeout
        killed = [k for k, c in codes.items() if c in (1, 3, 24, -24, 36, 152, 255)]
        survived = sorted(k for k, c in codes.items() if c not in (1, 3, 24, -24, 36, 152, 255))
        scores[module] = (len(killed), len(codes), survived)
    return scores


@nox.session
def mutants(session: nox.Session) -> None:
    """Mutation testing with mutmut 3, one module at a time on one worker (CPU heavy: ~minutes
    per module). ``nox -s mutants -- voicelive.audio._g711`` runs one module. Prints
    killed/total per module and the survivors (``mutmut show NAME`` shows one)."""
    session.install("-e", ".[test]", "mutmut>=3.8,<4")
    modules = session.posargs or list(MUTATION_MODULES)
    for module in modules:
        session.run("mutmut", "run", "--max-children", "1", f"{module}.*")
    for module, (killed, total, survived) in _mutation_scores(modules).items():
        score = 100 * killed / total if total else 100.0
        session.log(f"{module}: {killed}/{total} killed ({score:.0f} %)")
        for name in survived:
            session.log(f"    survived: {name}")


@nox.session
def stress(session: nox.Session) -> None:
    """The suite ``STRESS_RUNS`` times in a row (default 10) while a CPU hog spins on every
    core: flaky tests show up here. ``nox -s stress -- tests/aio`` stresses a subset."""
    import multiprocessing
    import os
    import subprocess
    import sys

    session.install("-e", ".[test]")
    runs = int(os.environ.get("STRESS_RUNS", "10"))
    hog = "while True: pass"
    hogs = [
        subprocess.Popen([sys.executable, "-c", hog]) for _ in range(multiprocessing.cpu_count())
    ]
    try:
        for run in range(1, runs + 1):
            session.log(f"stress run {run}/{runs} (CPU hog on {len(hogs)} cores)")
            session.run("pytest", "-q", "-p", "no:cacheprovider", *session.posargs)
    finally:
        for hog_process in hogs:
            hog_process.kill()
            hog_process.wait()
    session.log(f"stress: {runs}/{runs} runs passed under load")
