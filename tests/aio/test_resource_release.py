"""A connection closed by the server gives back its resources even if the app never closes it.

The pattern from a real app: reconnect from the receive loop when the server ends the
session, and never call ``close()`` on the old connection. With warnings as errors, nothing
may report an unclosed aiohttp session, and the shared session's refcount returns to zero.
"""

from __future__ import annotations

import asyncio
import gc
import warnings
from typing import Any

import pytest
from azure.core.credentials import AzureKeyCredential

from voicelive import ConnectionClosedError
from voicelive.aio import connect
from voicelive.aio._transport import SHARED_SESSIONS
from voicelive.testing import MockServer, MockServerConnection

KEY = AzureKeyCredential("release-test-key")


async def _expire(server_side: MockServerConnection) -> None:
    await server_side.send({"type": "session.created", "session": {"id": "sess_release"}})
    # 1001 (session expired) for the first two connections, a normal 1000 for the third,
    # a dropped TCP connection (1006) for the fourth.
    index = server_side.index
    if index == 4:
        server_side.drop()
        return
    await server_side.close(1000 if index == 3 else 1001, "session over")


async def _app_that_reconnects_without_closing(endpoint: str, sessions: int) -> list[int | None]:
    codes: list[int | None] = []
    for _ in range(sessions):
        conn = await connect(endpoint=endpoint, credential=KEY, model="gpt-realtime")
        try:
            async for event in conn:
                assert event.type == "session.created"
        except ConnectionClosedError:
            pass
        code = conn.close_code
        codes.append(None if code is None else int(code))
        assert SHARED_SESSIONS.users() == 0  # released as soon as the close was read
        # no conn.close(): the app just opens the next one
    return codes


async def test_server_closed_connections_release_the_shared_session_without_close() -> None:
    loop = asyncio.get_running_loop()
    loop_errors: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: loop_errors.append(context))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            async with asyncio.timeout(20):
                async with MockServer(_expire) as server:
                    codes = await _app_that_reconnects_without_closing(server.endpoint, 4)
            gc.collect()
            await asyncio.sleep(0)  # let aiohttp run any close callbacks
            gc.collect()
    finally:
        loop.set_exception_handler(previous)
    assert codes == [1001, 1001, 1000, 1006]
    assert SHARED_SESSIONS.users() == 0
    unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert unclosed == []
    assert [c.get("message") for c in loop_errors] == []


async def test_close_after_the_server_closed_is_still_harmless() -> None:
    async with asyncio.timeout(10):
        async with MockServer(_expire) as server:
            conn = await connect(endpoint=server.endpoint, credential=KEY, model="gpt-realtime")
            with pytest.raises(ConnectionClosedError):
                async for _ in conn:
                    pass
            assert SHARED_SESSIONS.users() == 0
            other = await connect(endpoint=server.endpoint, credential=KEY, model="gpt-realtime")
            assert SHARED_SESSIONS.users() == 1
            await conn.close()  # must not release the share the new connection holds
            await conn.close()
            assert SHARED_SESSIONS.users() == 1
            await other.close()
            assert SHARED_SESSIONS.users() == 0


SCRIPT = """
import asyncio, gc, sys
sys.path.insert(0, {here!r})
from test_resource_release import _app_that_reconnects_without_closing, _expire
from voicelive.aio._transport import SHARED_SESSIONS
from voicelive.testing import MockServer

async def main():
    async with MockServer(_expire) as server:
        codes = await _app_that_reconnects_without_closing(server.endpoint, 4)
    print("codes", codes, "users", SHARED_SESSIONS.users())

asyncio.run(main())  # a fresh loop, closed at the end: an unreleased session would warn
gc.collect()
print("done")
"""


def test_a_whole_program_run_with_warnings_as_errors_reports_nothing(tmp_path: Any) -> None:
    import subprocess
    import sys
    from pathlib import Path

    script = tmp_path / "reconnecting_app.py"
    script.write_text(SCRIPT.format(here=str(Path(__file__).parent)), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "codes [1001, 1001, 1000, 1006] users 0" in result.stdout
    assert "done" in result.stdout
    assert "Unclosed" not in result.stderr, result.stderr
    assert "ResourceWarning" not in result.stderr, result.stderr
