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


# Mutation testing: the modules users depend on most, each with the tests that cover it
# (MODULE_TESTS in .ci/mutants.py). Score target: >= 85 % detected per module; survivors
# judged equivalent are listed with a reason in docs/development.md.
@nox.session
def mutants(session: nox.Session) -> None:
    """Mutation testing with mutmut 3, one module at a time (CPU heavy: minutes per module).

    ``nox -s mutants -- voicelive._protocol`` mutates and runs only that module, in its own
    cached working directory ``.mutmut/<module>/``; no argument runs every module. Options
    after ``--``: ``--max-children N`` (workers, default 1), ``--fail-under PCT`` (default
    85). Prints detected/total per module and every mutant not detected; the diffs are in
    ``.mutmut/<module>/survivors.txt`` (``cd .mutmut/<module> && mutmut show NAME``).
    """
    session.install("-e", ".[test]", "mutmut>=3.8,<4")
    session.run("python", ".ci/mutants.py", *session.posargs)


@nox.session
def stress(session: nox.Session) -> None:
    """The suite ``STRESS_RUNS`` times in a row (default 10) while a CPU hog spins on every
    core: flaky tests show up here.

    The suite runs in two pytest-xdist workers per core (``STRESS_WORKERS``; 0 runs it in
    one process), so with the hogs three processes want each core and every test gets about
    a third of one -- harder on timing assumptions than one process beside the hogs, and a
    run takes less wall time. Workers also share the machine's ports and temporary
    directories, which shows tests that are not independent. ``nox -s stress -- tests/aio``
    stresses a subset.
    """
    import multiprocessing
    import os
    import subprocess
    import sys

    session.install("-e", ".[test]", "pytest-xdist>=3.5")
    runs = int(os.environ.get("STRESS_RUNS", "10"))
    cores = multiprocessing.cpu_count()
    workers = int(os.environ.get("STRESS_WORKERS", str(2 * cores)))
    parallel = ["-n", str(workers)] if workers else ["-p", "no:xdist"]
    hog = "while True: pass"
    hogs = [subprocess.Popen([sys.executable, "-c", hog]) for _ in range(cores)]
    try:
        for run in range(1, runs + 1):
            session.log(f"stress run {run}/{runs} (CPU hog on {cores} cores, {workers} workers)")
            session.run("pytest", "-q", "-p", "no:cacheprovider", *parallel, *session.posargs)
    finally:
        for hog_process in hogs:
            hog_process.kill()
            hog_process.wait()
    session.log(f"stress: {runs}/{runs} runs passed under load")
