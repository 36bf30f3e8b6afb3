"""``voicelive record`` / ``replay`` / ``mock-server --cassette`` (cassette support)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Coroutine
from typing import Any, TextIO

from ..testing import MockServer
from ._demo import DemoError
from ._timeline import Timeline

__all__ = ["print_cassette", "record_exchange", "replay_server"]

_NOT_YET = "cassettes are not available in this build of voicelive.testing"


def replay_server(path: str, *, host: str, port: int) -> MockServer:
    """A server replaying the cassette at ``path``."""
    raise DemoError(_NOT_YET)


async def record_exchange(
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    run: Callable[..., Coroutine[Any, Any, int]],
) -> int:
    """Run the demo exchange while recording a cassette."""
    raise DemoError(_NOT_YET)


def print_cassette(path: str, timeline: Timeline) -> None:
    """Render a cassette as a timeline."""
    raise DemoError(_NOT_YET)
