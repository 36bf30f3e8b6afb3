"""Microsoft Entra ID authentication with DefaultAzureCredential (no key at all).

    az login
    export AZURE_COGNITIVE_SERVICES_ENDPOINT=https://<resource>.services.ai.azure.com
    python examples/entra_id.py

``azure.identity.aio.DefaultAzureCredential`` tries, in order, environment variables (a
service principal), workload identity, managed identity (in Azure), and your developer
sign-in (Azure CLI, Azure Developer CLI, PowerShell, VS Code). voicelive sends the token as
``Authorization: Bearer``; the default scope is ``https://ai.azure.com/.default``. Your
identity needs the "Cognitive Services User" role on the resource. A sync credential
(``azure.identity.DefaultAzureCredential``) works too: voicelive calls it off the event loop.

Without an endpoint this runs against the emulator, with a stand-in credential that hands out
a fixed token (the emulator accepts any bearer token; DefaultAzureCredential would need Azure).
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from azure.core.credentials import AccessToken

from voicelive.aio import connect
from voicelive.testing import MockServer

MODEL = os.environ.get("AZURE_VOICELIVE_MODEL", "gpt-realtime")


class StandInCredential:
    """Emulator only: an async token credential with a fixed token."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("emulator-token", int(time.time()) + 3600)


async def ask(endpoint: str, credential: Any) -> None:
    async with connect(
        endpoint=endpoint,
        credential=credential,  # a token credential: sent as "Authorization: Bearer <token>"
        model=MODEL,
        credential_scopes="https://ai.azure.com/.default",  # the default, shown for clarity
    ) as conn:
        created = await conn.wait_for("session.created")
        print(f"signed in with Entra ID: session {created.session.id}")


async def main() -> None:
    endpoint = os.environ.get("AZURE_COGNITIVE_SERVICES_ENDPOINT")
    if endpoint:
        from azure.identity.aio import DefaultAzureCredential

        async with DefaultAzureCredential() as credential:  # closes its HTTP sessions
            await ask(endpoint, credential)
    else:
        async with MockServer(api_key="keys-are-refused-here") as server:  # bearer tokens only
            print(
                f"(emulator at {server.endpoint}; set AZURE_COGNITIVE_SERVICES_ENDPOINT for Azure)"
            )
            await ask(server.endpoint, StandInCredential())


if __name__ == "__main__":
    asyncio.run(main())
