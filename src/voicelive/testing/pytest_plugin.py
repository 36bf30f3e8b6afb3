"""pytest plugin (registered through the ``pytest11`` entry point; fixtures are opt-in).

Fixtures:

* ``voicelive_server``: a running :class:`~voicelive.testing.MockServer`.
* ``voicelive_connection``: a :class:`~voicelive.aio.VoiceLiveConnection` connected to it.

Both are async fixtures; they need pytest-asyncio (or another asyncio runner) in the suite.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from azure.core.credentials import AzureKeyCredential

from ..aio import VoiceLiveConnection, connect
from ._server import MockServer

__all__ = ["voicelive_connection", "voicelive_server"]

try:  # pytest-asyncio is optional for users of the plugin
    from pytest_asyncio import fixture as _fixture
except ImportError:  # pragma: no cover - exercised only without pytest-asyncio
    _fixture = pytest.fixture  # type: ignore[assignment]


@_fixture
async def voicelive_server() -> AsyncIterator[MockServer]:
    """A :class:`MockServer` running on 127.0.0.1 for the duration of one test."""
    async with MockServer() as server:
        yield server


@_fixture
async def voicelive_connection(voicelive_server: MockServer) -> AsyncIterator[VoiceLiveConnection]:
    """A connection to ``voicelive_server`` (test credential, model ``gpt-realtime``)."""
    async with connect(
        endpoint=voicelive_server.endpoint,
        credential=AzureKeyCredential("voicelive-test-key"),
        model="gpt-realtime",
    ) as connection:
        yield connection
