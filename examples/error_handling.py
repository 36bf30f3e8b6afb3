"""Error handling: what fails where, and how to react.

    python examples/error_handling.py

1. a wrong key: ``AuthenticationError`` from ``connect()`` (no retry: it will not get better);
2. a mistake in what you send: ``pydantic.ValidationError`` / ``LocalProtocolError`` before
   anything is sent;
3. a request the service refuses: an ``error`` event in the stream; the session goes on;
4. a connection lost mid-response: ``ConnectionClosedError`` (code 1011, 1006, ...) from the
   ``async for`` loop; reconnect with backoff and ask again.

On the emulator the lost connection is injected with a fault (the first response is cut
after its first text delta); on Azure it only happens when the network or service fails.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pydantic
from azure.core.credentials import AzureKeyCredential

from voicelive import AuthenticationError, ConnectionClosedError, LocalProtocolError
from voicelive import ConnectionError as VoiceLiveConnectionError
from voicelive.aio import VoiceLiveConnection, connect
from voicelive.testing import Fault

from _common import EMULATOR_KEY, MODEL, voice_live

QUESTION = {
    "type": "message",
    "role": "user",
    "content": [{"type": "input_text", "text": "Name three colors."}],
}


async def ask(conn: VoiceLiveConnection) -> str:
    """One question, one text answer; server ``error`` events are reported, not fatal."""
    await conn.session.update(session={"modalities": ["text"]})
    await conn.response.cancel(event_id="cancel-1")  # nothing to cancel: the service says so
    await conn.conversation.item.create(item=QUESTION)
    await conn.response.create()
    answer = ""
    async for event in conn:  # raises ConnectionClosedError if the connection is lost
        if event.type == "error":
            error = event.error
            print(
                f"  server refused {error.event_id or 'a request'}: {error.code} ({error.message})"
            )
        elif event.type == "response.text.delta":
            answer += event.delta
        elif event.type == "response.done":
            break
    return answer


async def ask_with_retry(endpoint: str, credential: Any, attempts: int = 3) -> str:
    for attempt in range(1, attempts + 1):
        try:
            async with connect(endpoint=endpoint, credential=credential, model=MODEL) as conn:
                return await ask(conn)
        except AuthenticationError:
            raise  # a wrong key or missing role: retrying will not help
        except (ConnectionClosedError, VoiceLiveConnectionError) as exc:
            print(f"  attempt {attempt} failed: {exc}; retrying")
            await asyncio.sleep(0.1 * 2**attempt)  # back off before reconnecting
    raise SystemExit(f"gave up after {attempts} attempts")


async def main() -> None:
    faults = [Fault.close(1011, "internal error").after("response.text.delta")]
    async with voice_live(faults=faults, api_key=EMULATOR_KEY) as (endpoint, credential):
        print("1. wrong key")
        try:
            conn = await connect(
                endpoint=endpoint, credential=AzureKeyCredential("wrong"), model=MODEL
            )
            await conn.close()
        except AuthenticationError as exc:
            print(f"  AuthenticationError (HTTP {exc.status_code})")

        async with connect(endpoint=endpoint, credential=credential, model=MODEL) as conn:
            print("2. mistakes caught before sending")
            try:
                await conn.session.update(session={"voice": {"type": "azure-standard"}})  # no name
            except pydantic.ValidationError as exc:
                print(f"  ValidationError at {'.'.join(map(str, exc.errors()[0]['loc']))}")
            try:
                await conn.input_audio_buffer.append(audio="not base64!")  # str must be base64
            except LocalProtocolError as exc:
                print(f"  LocalProtocolError: {str(exc)[:60]}...")

        print("3 and 4. a refused request, then a lost connection and a retry")
        answer = await ask_with_retry(endpoint, credential)
        print(f"  answer: {answer}")


if __name__ == "__main__":
    asyncio.run(main())
