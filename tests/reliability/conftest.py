"""Reliability suite configuration: workload sizes, the canary log scan, the figures report.

Workload sizes (fast defaults keep ``pytest`` quick; ``--reliability-full`` or
``VOICELIVE_RELIABILITY_FULL=1`` selects the full counts):

==========================  ==============================  ========  ========
option                      environment variable            default   full
==========================  ==============================  ========  ========
``--fuzz-frames N``         ``VOICELIVE_FUZZ_FRAMES``       1,500     12,000
``--roundtrip-examples N``  ``VOICELIVE_ROUNDTRIP_EXAMPLES``  25      300
``--cycles N``              ``VOICELIVE_CYCLES``            1,000     5,000
``--slow-consumer-mb N``    ``VOICELIVE_SLOW_CONSUMER_MB``  200       1,000
==========================  ==============================  ========  ========

The command-line options exist only when pytest is pointed at this directory
(``pytest tests/reliability --fuzz-frames 20000``): pytest reads options from the conftest
files of the initial paths only. The environment variables work from anywhere, including the
plain ``pytest`` that CI runs (``VOICELIVE_FUZZ_FRAMES=20000 pytest``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from _rel_support import CANARIES, FIGURES

_FAST = {"fuzz_frames": 1500, "roundtrip_examples": 25, "cycles": 1000, "slow_consumer_mb": 200}
_FULL = {"fuzz_frames": 12000, "roundtrip_examples": 300, "cycles": 5000, "slow_consumer_mb": 1000}
_ENV = {
    "fuzz_frames": "VOICELIVE_FUZZ_FRAMES",
    "roundtrip_examples": "VOICELIVE_ROUNDTRIP_EXAMPLES",
    "cycles": "VOICELIVE_CYCLES",
    "slow_consumer_mb": "VOICELIVE_SLOW_CONSUMER_MB",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("voicelive reliability")
    group.addoption("--reliability-full", action="store_true", help="run the full counts")
    for name in _FAST:
        group.addoption(
            "--" + name.replace("_", "-"),
            type=int,
            default=None,
            help=f"reliability workload size (env {_ENV[name]})",
        )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "quiet_logs: scan log records at INFO and up only (memory measurements)"
    )


@dataclass(frozen=True)
class RelConfig:
    fuzz_frames: int
    roundtrip_examples: int
    cycles: int
    slow_consumer_mb: int
    full: bool


def _option(config: pytest.Config, name: str) -> int | None:
    try:
        value = config.getoption("--" + name.replace("_", "-"))
    except ValueError:  # the options are not registered (pytest run from the root)
        return None
    return value if isinstance(value, int) else None


def resolve_config(config: pytest.Config) -> RelConfig:
    try:
        full_flag = bool(config.getoption("--reliability-full"))
    except ValueError:
        full_flag = False
    full = full_flag or os.environ.get("VOICELIVE_RELIABILITY_FULL", "") not in ("", "0")
    base = _FULL if full else _FAST
    values: dict[str, int] = {}
    for name, default in base.items():
        option = _option(config, name)
        env = os.environ.get(_ENV[name])
        values[name] = option if option is not None else int(env) if env else default
    return RelConfig(full=full, **values)


@pytest.fixture(scope="session")
def rel_config(pytestconfig: pytest.Config) -> RelConfig:
    return resolve_config(pytestconfig)


class _CanaryScanner(logging.Handler):
    """Formats every record (message, args, exception text) and looks for the canaries."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.leaks: list[str] = []
        self.records = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1
        try:
            texts = [record.getMessage(), repr(record.args)]
        except Exception as exc:  # a broken log call is a finding too
            self.leaks.append(f"unformattable record {record.msg!r}: {exc!r}")
            return
        if record.exc_info:
            texts.append(logging.Formatter().formatException(record.exc_info))
        for text in texts:
            if any(canary in text for canary in CANARIES):
                self.leaks.append(f"{record.name}:{record.levelname}: {text[:300]}")


@pytest.fixture(autouse=True)
def canary_log_scan(request: pytest.FixtureRequest) -> Iterator[_CanaryScanner]:
    """Every log record of every reliability test, at every level, is scanned for canaries."""
    quiet = request.node.get_closest_marker("quiet_logs") is not None
    scanner = _CanaryScanner()
    root = logging.getLogger()
    loggers = [logging.getLogger(name) for name in ("voicelive", "aiohttp", "asyncio")]
    saved = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.INFO if quiet else logging.DEBUG)
    root.addHandler(scanner)
    try:
        yield scanner
    finally:
        root.removeHandler(scanner)
        for logger, level in saved:
            logger.setLevel(level)
    FIGURES["log records scanned for canaries"] = (
        FIGURES.get("log records scanned for canaries", 0) + scanner.records
    )
    assert scanner.leaks == [], scanner.leaks


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FIGURES:
        return
    terminalreporter.section("voicelive reliability figures")
    for name, value in FIGURES.items():
        terminalreporter.write_line(f"{name}: {value}")
