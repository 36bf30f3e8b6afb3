"""pytest plugin (registered through the ``pytest11`` entry point; every fixture is opt-in).

Fixtures:

* ``voicelive_server``: a running :class:`~voicelive.testing.MockServer` (the emulator), or a
  cassette replay when the test has the ``voicelive_cassette`` marker.
* ``voicelive_connection``: a :class:`~voicelive.aio.VoiceLiveConnection` connected to it
  (test key, model ``gpt-realtime``).

Markers:

* ``@pytest.mark.voicelive_server(**kwargs)``: keyword arguments for the ``MockServer``
  (``responder=``, ``faults=``, ``session=``, ``pace=``, ...).
* ``@pytest.mark.voicelive_cassette(path, match=..., timing=...)``: ``voicelive_server``
  replays this cassette (``path`` relative to the test file, else to the rootdir). A
  mismatch between the app's frames and the recording fails the test.
* ``@pytest.mark.voicelive_connection(**kwargs)``: extra keyword arguments for
  :func:`voicelive.aio.connect`.

The fixtures are async; they need pytest-asyncio (or another asyncio runner) in the suite.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential

from ..aio import VoiceLiveConnection, connect
from ._server import MockServer

__all__ = ["pytest_configure", "voicelive_connection", "voicelive_server"]

try:  # pytest-asyncio is optional for users of the plugin
    from pytest_asyncio import fixture as _fixture
except ImportError:  # pragma: no cover - exercised only without pytest-asyncio
    _fixture = pytest.fixture  # type: ignore[assignment]

TEST_KEY = "voicelive-test-key"
"""The API key the ``voicelive_connection`` fixture uses."""


def pytest_configure(config: pytest.Config) -> None:
    """Register the plugin's markers (so ``--strict-markers`` accepts them)."""
    config.addinivalue_line(
        "markers",
        "voicelive_server(**kwargs): keyword arguments for the MockServer of the "
        "voicelive_server fixture",
    )
    config.addinivalue_line(
        "markers",
        "voicelive_cassette(path, match='type', timing='fast'): the voicelive_server fixture "
        "replays this cassette (path relative to the test file)",
    )
    config.addinivalue_line(
        "markers",
        "voicelive_connection(**kwargs): extra keyword arguments for connect() in the "
        "voicelive_connection fixture",
    )


def _marker_kwargs(request: pytest.FixtureRequest, name: str) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(name))):
        kwargs.update(marker.kwargs)
    return kwargs


def _cassette_path(request: pytest.FixtureRequest, raw: str | Path) -> Path:
    path = Path(raw)
    if path.is_absolute():
        return path
    here = Path(str(request.node.path)).parent / path
    if here.exists():
        return here
    return Path(str(request.config.rootpath)) / path


@_fixture
async def voicelive_server(request: pytest.FixtureRequest) -> AsyncIterator[MockServer]:
    """A :class:`MockServer` on 127.0.0.1 for one test (the emulator, or a cassette replay)."""
    kwargs = _marker_kwargs(request, "voicelive_server")
    cassette = request.node.get_closest_marker("voicelive_cassette")
    if cassette is not None:
        if not cassette.args:
            raise pytest.UsageError("@pytest.mark.voicelive_cassette needs the cassette path")
        server = MockServer.replay(
            _cassette_path(request, cassette.args[0]), **{**kwargs, **cassette.kwargs}
        )
    else:
        server = MockServer(**kwargs)
    async with server:
        yield server


@_fixture
async def voicelive_connection(
    voicelive_server: MockServer, request: pytest.FixtureRequest
) -> AsyncIterator[VoiceLiveConnection]:
    """A connection to ``voicelive_server`` (test key, model ``gpt-realtime``)."""
    kwargs: dict[str, Any] = {
        "credential": AzureKeyCredential(TEST_KEY),
        "model": "gpt-realtime",
        **_marker_kwargs(request, "voicelive_connection"),
    }
    async with connect(endpoint=voicelive_server.endpoint, **kwargs) as connection:
        yield connection
