"""Open hooks and close observers (``voicelive.aio._hooks``): who is called, with what, how often."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from azure.core.credentials import AzureKeyCredential

from voicelive.aio import VoiceLiveConnection, _hooks, connect
from voicelive.testing import MockServer

KEY = AzureKeyCredential("secret-key")


class Recorder:
    """An open hook that records its calls (a class, so its repr is known)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.calls: list[tuple[VoiceLiveConnection, _hooks.ConnectionInfo]] = []

    def __call__(self, connection: VoiceLiveConnection, info: _hooks.ConnectionInfo) -> None:
        self.calls.append((connection, info))

    def __repr__(self) -> str:
        return f"<hook {self.name}>"


class Broken:
    def __call__(self, *args: object) -> None:
        raise RuntimeError("hook bug")

    def __repr__(self) -> str:
        return "<broken hook>"


@pytest.fixture
def registered() -> Iterator[list[object]]:
    """Hooks registered by a test are removed afterwards, whatever happens."""
    hooks: list[object] = []
    yield hooks
    for hook in hooks:
        _hooks.remove_open_hook(hook)  # type: ignore[arg-type]


async def test_open_hooks_get_the_connection_and_its_info_once_each(
    registered: list[object],
) -> None:
    first, second = Recorder("first"), Recorder("second")
    registered += [first, second]
    _hooks.add_open_hook(first)
    _hooks.add_open_hook(second)
    _hooks.add_open_hook(first)  # idempotent
    assert _hooks.OPEN_HOOKS[-2:] == [first, second]
    async with MockServer() as server:
        async with connect(
            endpoint=server.endpoint, credential=KEY, model="m", api_version="2025-10-01"
        ) as conn:
            pass
        info = _hooks.ConnectionInfo("127.0.0.1", server.port, "m", "2025-10-01", None)
        assert first.calls == [(conn, info)]
        assert second.calls == [(conn, info)]

        _hooks.remove_open_hook(first)
        _hooks.remove_open_hook(first)  # absent: no error
        assert first not in _hooks.OPEN_HOOKS
        assert second in _hooks.OPEN_HOOKS
        async with connect(
            endpoint=server.endpoint,
            credential=KEY,
            agent_name="agent",
            project_name="proj",
        ) as agent_conn:
            pass
    assert len(first.calls) == 1
    assert second.calls[1][0] is agent_conn
    assert second.calls[1][1].agent_name == "agent"
    assert second.calls[1][1].model is None


async def test_a_raising_open_hook_is_logged_and_the_connection_still_opens(
    registered: list[object], caplog: pytest.LogCaptureFixture
) -> None:
    broken, after = Broken(), Recorder("after")
    registered += [broken, after]
    _hooks.add_open_hook(broken)
    _hooks.add_open_hook(after)
    caplog.set_level(logging.ERROR, logger="voicelive")
    async with MockServer() as server:
        async with connect(endpoint=server.endpoint, credential=KEY, model="m") as conn:
            assert not conn.closed
    assert len(after.calls) == 1
    (record,) = [r for r in caplog.records if r.name == "voicelive.hooks"]
    assert record.getMessage() == "connection open hook <broken hook> raised; ignored"
    assert record.exc_info is not None
    assert "secret-key" not in caplog.text


def test_close_observers_are_called_in_order_and_a_raising_one_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[tuple[int | None, str]] = []
    caplog.set_level(logging.ERROR, logger="voicelive")
    _hooks.notify_closed([Broken(), lambda code, reason: seen.append((code, reason))], 4000, "why")
    assert seen == [(4000, "why")]
    (record,) = [r for r in caplog.records if r.name == "voicelive.hooks"]
    assert record.getMessage() == "connection close observer <broken hook> raised; ignored"
