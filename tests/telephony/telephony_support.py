"""Shared setup: the emulator and a PhoneServer in one process, on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from azure.core.credentials import AzureKeyCredential

from voicelive.aio import connect
from voicelive.conversation import ResilientConnection
from voicelive.telephony import PhoneAgent, PhoneServer, PhoneServerConfig
from voicelive.testing import MockServer

AUTH_TOKEN = "twilio-test-auth-token"


class Clock:
    """A clock the test moves (ACS playback estimates)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def phone_stack(
    agent: PhoneAgent | None = None,
    *,
    config: PhoneServerConfig | None = None,
    resilient: bool = False,
    clock: Callable[[], float] | None = None,
    **mock: Any,
) -> AsyncIterator[tuple[PhoneServer, MockServer]]:
    """``(phone server, emulator)``: a phone server bridging to an emulator."""
    async with MockServer(**mock) as emulator:

        async def open_connection() -> Any:
            def factory() -> Any:
                return connect(
                    endpoint=emulator.endpoint,
                    credential=AzureKeyCredential("key"),
                    model="gpt-realtime",
                )

            if resilient:
                return await ResilientConnection(factory, recycle_before=None).open()
            return await factory()

        kwargs: dict[str, Any] = {} if clock is None else {"clock": clock}
        server = PhoneServer(
            agent or PhoneAgent(),
            open_connection,
            config=config or PhoneServerConfig(twilio_auth_token=AUTH_TOKEN),
            port=0,
            **kwargs,
        )
        async with server:
            yield server, emulator
