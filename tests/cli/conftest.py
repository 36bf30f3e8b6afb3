"""Fixtures for the command-line tests.

The CLI runs its own event loop (``asyncio.run``), so tests call ``main([...])`` from plain
(sync) test functions; a server the CLI must reach from outside runs on a background thread
with its own loop (:func:`server_thread`).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from voicelive.cli._target import ENDPOINT_ENV, KEY_ENV
from voicelive.testing import MockServer


@pytest.fixture(autouse=True)
def _no_azure(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every CLI test starts with no endpoint, no key, no colors, in an empty directory.

    (The demo writes reply.wav to the working directory by default: never into the clone.)
    """
    monkeypatch.delenv(ENDPOINT_ENV, raising=False)
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@contextmanager
def _server_thread(*args: Any, **kwargs: Any) -> Iterator[MockServer]:
    """A :class:`MockServer` running on its own thread and loop, for as long as the block."""
    loop = asyncio.new_event_loop()
    server = MockServer(*args, **kwargs)
    started = threading.Event()
    stop: asyncio.Event | None = None

    async def run() -> None:
        nonlocal stop
        stop = asyncio.Event()
        async with server:
            started.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(run(),), daemon=True)
    thread.start()
    assert started.wait(10), "server did not start"
    try:
        yield server
    finally:
        assert stop is not None
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()


ServerThread = Any
"""``server_thread(*args, **kwargs)`` -> context manager yielding a running MockServer."""


@pytest.fixture
def server_thread() -> ServerThread:
    """Start a :class:`MockServer` on a background thread: ``with server_thread(...) as s:``."""
    return _server_thread
