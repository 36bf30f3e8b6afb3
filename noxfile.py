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
